using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace ImageVolumeCache.Cli.Configuration;

/// <summary>
/// Reads what the tool opens from the host's configuration file (<c>--config</c>, else <c>appsettings.json</c> in the
/// current folder when there is one) and the command line, which wins. The cache's options come from the cache section
/// (<c>--section</c>, default <c>ImageVolumeCache</c>), bound and validated as the host binds them; what the host wires in
/// code (the store, the backends, the image service) comes from the tool's section (<c>--tool-section</c>, default
/// <c>ImageVolumeCacheTool</c>) or the command line. Relative paths in the file are taken from the file's folder; on the
/// command line, from the current folder. Every problem is a <see cref="ToolUsageException"/> naming the key or option.
/// </summary>
internal static class ToolSettingsReader
{
    public const string DefaultCacheSection = "ImageVolumeCache";
    public const string DefaultToolSection = "ImageVolumeCacheTool";
    public const string DefaultConfigFile = "appsettings.json";

    private static readonly string[] KnownStoreKeys = ["Sqlite", "PostgreSql", "PostgreSqlSchema"];
    private static readonly string[] KnownToolKeys = ["Store", "FileSystemBackends", "ImageFolder", "Plugins"];

    public static ToolSettings Read(ToolCommandLineValues values, string currentDirectory)
    {
        ArgumentNullException.ThrowIfNull(values);
        string? file = FindConfigurationFile(values.ConfigFile, currentDirectory);
        IConfiguration configuration = Load(file);
        string fileFolder = file is null ? currentDirectory : Path.GetDirectoryName(file)!;
        IConfigurationSection tool = configuration.GetSection(values.ToolSection);
        CheckKeys(tool, values.ToolSection);

        (StoreKind store, string? sqlite, string? postgres) = ReadStore(values, tool, currentDirectory, fileFolder);
        string? schema = Blank(values.PostgreSqlSchema) ?? Blank(tool["Store:PostgreSqlSchema"]);
        var backends = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (IConfigurationSection backend in tool.GetSection("FileSystemBackends").GetChildren())
        {
            backends[backend.Key] = ExistingDirectory(backend.Value, fileFolder, $"{backend.Path}");
        }

        foreach (string pair in values.FileSystemBackends)
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == pair.Length - 1)
            {
                throw new ToolUsageException($"--fs-backend takes NAME=DIRECTORY (for example host1@fs=/var/lib/volumes), but was '{pair}'.");
            }

            backends[pair[..equals]] = ExistingDirectory(pair[(equals + 1)..], currentDirectory, "--fs-backend " + pair[..equals]);
        }

        string? images = values.ImageFolder is { } folder
            ? ExistingDirectory(folder, currentDirectory, "--image-folder")
            : Blank(tool["ImageFolder"]) is { } configured ? ExistingDirectory(configured, fileFolder, $"{values.ToolSection}:ImageFolder") : null;

        var plugins = new List<string>();
        foreach (IConfigurationSection plugin in tool.GetSection("Plugins").GetChildren())
        {
            plugins.Add(ExistingFile(plugin.Value, fileFolder, plugin.Path));
        }

        plugins.AddRange(values.Plugins.Select(p => ExistingFile(p, currentDirectory, "--plugin")));
        return new ToolSettings
        {
            Configuration = configuration,
            CacheSection = values.CacheSection,
            ToolSection = values.ToolSection,
            ConfigurationFile = file,
            Store = store,
            SqlitePath = sqlite,
            PostgreSqlConnection = postgres,
            PostgreSqlSchema = schema,
            FileSystemBackends = backends,
            ImageFolder = images,
            Plugins = plugins,
        };
    }

    private static string? FindConfigurationFile(string? given, string currentDirectory)
    {
        if (given is not null)
        {
            string path = Path.GetFullPath(given, currentDirectory);
            return File.Exists(path) ? path : throw new ToolUsageException($"--config: there is no file '{path}'.");
        }

        string here = Path.Combine(currentDirectory, DefaultConfigFile);
        return File.Exists(here) ? here : null;
    }

    private static IConfigurationRoot Load(string? file)
    {
        var builder = new ConfigurationBuilder();
        if (file is not null)
        {
            builder.AddJsonFile(file, optional: false, reloadOnChange: false);
        }

        try
        {
            return builder.Build();
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or JsonException or IOException)
        {
            throw new ToolUsageException($"The configuration file '{file}' cannot be read: {(ex.InnerException ?? ex).Message}");
        }
    }

    /// <summary>A key in the tool's section that the tool does not read is a typo, named rather than ignored.</summary>
    private static void CheckKeys(IConfigurationSection tool, string toolSection)
    {
        foreach (IConfigurationSection child in tool.GetChildren())
        {
            if (!KnownToolKeys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                throw new ToolUsageException($"{child.Path} is not a key ivc reads; {toolSection} holds {string.Join(", ", KnownToolKeys)}.");
            }
        }

        foreach (IConfigurationSection child in tool.GetSection("Store").GetChildren())
        {
            if (!KnownStoreKeys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                throw new ToolUsageException($"{child.Path} is not a key ivc reads; {toolSection}:Store holds {string.Join(", ", KnownStoreKeys)}.");
            }
        }
    }

    private static (StoreKind Store, string? Sqlite, string? PostgreSql) ReadStore(
        ToolCommandLineValues values, IConfigurationSection tool, string currentDirectory, string fileFolder)
    {
        string toolSection = tool.Path;
        if (Blank(values.Sqlite) is not null && Blank(values.PostgreSql) is not null)
        {
            throw new ToolUsageException("--sqlite and --postgres name two stores; give one.");
        }

        if (Blank(values.Sqlite) is { } sqlite)
        {
            return (StoreKind.Sqlite, ExistingStoreFile(sqlite, currentDirectory, "--sqlite"), null);
        }

        if (Blank(values.PostgreSql) is { } postgres)
        {
            return (StoreKind.PostgreSql, null, postgres);
        }

        string? configuredSqlite = Blank(tool["Store:Sqlite"]);
        string? configuredPostgres = Blank(tool["Store:PostgreSql"]);
        if (configuredSqlite is not null && configuredPostgres is not null)
        {
            throw new ToolUsageException($"{toolSection}:Store:Sqlite and {toolSection}:Store:PostgreSql name two stores; set one.");
        }

        if (configuredSqlite is not null)
        {
            return (StoreKind.Sqlite, ExistingStoreFile(configuredSqlite, fileFolder, $"{toolSection}:Store:Sqlite"), null);
        }

        if (configuredPostgres is not null)
        {
            return (StoreKind.PostgreSql, null, configuredPostgres);
        }

        throw new ToolUsageException(
            $"No entry store: give --sqlite FILE or --postgres CONNECTION-STRING, or set {toolSection}:Store:Sqlite or {toolSection}:Store:PostgreSql in the configuration file (--config).");
    }

    /// <summary>The tool opens a store a host made; it never makes one (a mistyped path would otherwise show an empty cache).</summary>
    private static string ExistingStoreFile(string value, string baseDirectory, string name)
    {
        string path = Path.GetFullPath(value, baseDirectory);
        return File.Exists(path)
            ? path
            : throw new ToolUsageException($"{name}: there is no SQLite store at '{path}'; ivc opens the store a host made and never makes one.");
    }

    private static string ExistingDirectory(string? value, string baseDirectory, string name)
    {
        if (Blank(value) is not { } given)
        {
            throw new ToolUsageException($"{name} needs a folder.");
        }

        string path = Path.GetFullPath(given, baseDirectory);
        return Directory.Exists(path) ? path : throw new ToolUsageException($"{name}: there is no folder '{path}'.");
    }

    private static string ExistingFile(string? value, string baseDirectory, string name)
    {
        if (Blank(value) is not { } given)
        {
            throw new ToolUsageException($"{name} needs a file.");
        }

        string path = Path.GetFullPath(given, baseDirectory);
        return File.Exists(path) ? path : throw new ToolUsageException($"{name}: there is no file '{path}'.");
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
