using System.CommandLine;
using System.CommandLine.Parsing;
using ImageVolumeCache.Cli.Commands;
using ImageVolumeCache.Cli.Configuration;
using ImageVolumeCache.Cli.Hosting;

namespace ImageVolumeCache.Cli;

/// <summary>
/// The <c>ivc</c> command line (System.CommandLine): the global options that say what to open, one command per
/// operation, and the exit codes of <see cref="IvcExitCodes"/>. Each command opens the cache through
/// <see cref="ToolHost"/>, does one thing and writes a table (or <c>--json</c>) to standard output; errors go to standard
/// error as one line.
/// </summary>
internal sealed class IvcCommandLine
{
    private readonly RootCommand _root;
    private readonly Option<string> _config;
    private readonly Option<string> _section;
    private readonly Option<string> _toolSection;
    private readonly Option<string> _sqlite;
    private readonly Option<string> _postgres;
    private readonly Option<string> _postgresSchema;
    private readonly Option<string[]> _fsBackend;
    private readonly Option<string> _imageFolder;
    private readonly Option<string[]> _plugin;

    public IvcCommandLine(TextWriter output, TextWriter error, string currentDirectory)
    {
        Output = output;
        Error = error;
        CurrentDirectory = currentDirectory;
        _config = Global<string>("--config", "FILE", "The host's configuration file [default: appsettings.json in the current folder, when there is one].");
        _section = Global<string>("--section", "PATH", $"The configuration section of the cache's options [default: {ToolSettingsReader.DefaultCacheSection}].");
        _toolSection = Global<string>(
            "--tool-section",
            "PATH",
            $"The configuration section of what ivc opens (Store, FileSystemBackends, ImageFolder, Plugins) [default: {ToolSettingsReader.DefaultToolSection}].");
        _sqlite = Global<string>("--sqlite", "FILE", "The SQLite store (a file a host made; ivc never makes one).");
        _postgres = Global<string>("--postgres", "CONNECTION", "The PostgreSQL store: an Npgsql connection string.");
        _postgresSchema = Global<string>("--postgres-schema", "SCHEMA", "The PostgreSQL store's schema [default: the store's, image_volume_cache].");
        _fsBackend = Global<string[]>("--fs-backend", "NAME=DIR", "A file-system backend and its volumes folder, for example host1@fs=/var/lib/volumes; repeatable.");
        _fsBackend.Arity = ArgumentArity.ZeroOrMore;
        _imageFolder = Global<string>("--image-folder", "DIR", "The folder image service's folder (warm and reconcile need one; trim checks images against it).");
        _plugin = Global<string[]>(
            "--plugin",
            "DLL",
            "An assembly with a public static ConfigureImageVolumeCacheTool(IImageVolumeCacheBuilder, IConfiguration) that adds the host's own backends or image service; repeatable.");
        _plugin.Arity = ArgumentArity.ZeroOrMore;

        _root = new RootCommand(
            "ivc: the image-volume cache's operator tool. It opens the cache as a host configures it (the host's appsettings.json and "
            + "the store, backends and image service it names) and runs one command. Exit codes: "
            + string.Join("; ", IvcExitCodes.Described.Select(c => $"{c.Code} {c.Meaning}")) + ".")
        {
            _config, _section, _toolSection, _sqlite, _postgres, _postgresSchema, _fsBackend, _imageFolder, _plugin,
        };
        _root.Subcommands.Add(EntriesCommand.Create(this));
        _root.Subcommands.Add(StatsCommand.Create(this));
        _root.Subcommands.Add(EvictCommand.Create(this));
        _root.Subcommands.Add(PurgeCommand.Create(this));
        _root.Subcommands.Add(TrimCommand.Create(this));
        _root.Subcommands.Add(WarmCommand.Create(this));
        _root.Subcommands.Add(ReconcileCommand.Create(this));
        _root.Subcommands.Add(HealthCommand.Create(this));
    }

    public TextWriter Output { get; }

    public TextWriter Error { get; }

    public string CurrentDirectory { get; }

    /// <summary>Parses <paramref name="args"/> and runs the command, or prints help; returns the exit code.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, string currentDirectory, CancellationToken cancellationToken)
    {
        var commandLine = new IvcCommandLine(output, error, currentDirectory);

        // No response files: an argument that starts with @ is a value, not a file of more arguments.
        ParseResult parse = commandLine._root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Errors.Count > 0)
        {
            foreach (ParseError parseError in parse.Errors)
            {
                await error.WriteLineAsync(parseError.Message);
            }

            await error.WriteLineAsync("Run ivc --help to see the commands and options.");
            return IvcExitCodes.Usage;
        }

        var invocation = new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null };
        return await parse.InvokeAsync(invocation, cancellationToken);
    }

    /// <summary>
    /// Runs a command's body against the opened cache, turning failures into one line on standard error and an exit code:
    /// a usage error (nothing changed) 2, a cancellation 130, anything else 1. A command for which a store that cannot be
    /// opened is an answer rather than a failure (health) handles it with <paramref name="storeUnusable"/>.
    /// </summary>
    public async Task<int> RunAsync(
        ParseResult parse,
        string command,
        Func<ToolHost, Task<int>> body,
        CancellationToken cancellationToken,
        ToolNeeds needs = ToolNeeds.None,
        Func<CacheEntryStoreException, Task<int>>? storeUnusable = null)
    {
        try
        {
            ToolSettings settings = ToolSettingsReader.Read(Values(parse), CurrentDirectory);
            await using ToolHost host = await ToolHost.OpenAsync(settings, needs, command, cancellationToken);
            return await body(host);
        }
        catch (ToolUsageException ex)
        {
            await Error.WriteLineAsync($"ivc {command}: {ex.Message}");
            return IvcExitCodes.Usage;
        }
        catch (CacheEntryStoreException ex) when (storeUnusable is not null)
        {
            return await storeUnusable(ex);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await Error.WriteLineAsync($"ivc {command}: stopped.");
            return IvcExitCodes.Stopped;
        }
        catch (Exception ex)
        {
            await Error.WriteLineAsync($"ivc {command} failed: {ex.Message}");
            return IvcExitCodes.Failed;
        }
    }

    private ToolCommandLineValues Values(ParseResult parse) => new()
    {
        ConfigFile = parse.GetValue(_config),
        CacheSection = parse.GetValue(_section) is { Length: > 0 } section ? section : ToolSettingsReader.DefaultCacheSection,
        ToolSection = parse.GetValue(_toolSection) is { Length: > 0 } tool ? tool : ToolSettingsReader.DefaultToolSection,
        Sqlite = parse.GetValue(_sqlite),
        PostgreSql = parse.GetValue(_postgres),
        PostgreSqlSchema = parse.GetValue(_postgresSchema),
        FileSystemBackends = parse.GetValue(_fsBackend) ?? [],
        ImageFolder = parse.GetValue(_imageFolder),
        Plugins = parse.GetValue(_plugin) ?? [],
    };

    private static Option<T> Global<T>(string name, string helpName, string description) =>
        new(name) { Description = description, HelpName = helpName, Recursive = true };
}
