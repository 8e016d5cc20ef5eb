using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Parsing;
using System.CommandLine.Invocation;

namespace ImageVolumeCache.Sample;

/// <summary>
/// The sample's command line (System.CommandLine): its options with their help, each value checked with a message that
/// names the option and the value, and the exit codes of <see cref="ExitCodes"/>. A run is handed to <see cref="SampleRunner"/>.
/// </summary>
internal sealed partial class SampleCommandLine
{
    private readonly RootCommand _command;
    private readonly string _defaultDataDirectory;
    private readonly Option<string> _dataDir;
    private readonly Option<string> _reset;
    private readonly Option<string> _store;
    private readonly Option<string> _storeFile;
    private readonly Option<string> _storeConnection;
    private readonly Option<int> _imageSizeMb;
    private readonly Option<string> _image;
    private readonly Option<string> _diskFormat;
    private readonly Option<int> _volumes;
    private readonly Option<string> _keepVolumes;
    private readonly Option<string> _directImageClone;
    private readonly Option<string> _warm;
    private readonly Option<string> _glance;
    private readonly Option<string> _glanceImage;
    private readonly Option<string> _glanceToken;

    public SampleCommandLine(string defaultDataDirectory)
    {
        _defaultDataDirectory = defaultDataDirectory;
        _dataDir = FullPath("--data-dir", "PATH", "The folder for volumes/, images/, scratch/ and cache.db; kept between runs.");
        _dataDir.DefaultValueFactory = _ => defaultDataDirectory;
        _reset = Flag(
            "--reset",
            "Delete the volumes/, images/, scratch/ and cache.db an earlier run left in the data folder (nothing else in it) before starting, so the cache starts empty.");
        _store = Choice(
            "--store",
            SampleOptions.Stores,
            "Where cache entries are kept: sqlite (a file: a second run starts with hits), memory (every run starts empty) or postgres (a PostgreSQL database, see --store-connection; a second run starts with hits).");
        _store.DefaultValueFactory = _ => "sqlite";
        _storeFile = FullPath("--store-file", "PATH", "The SQLite file [default: <data-dir>/cache.db].");
        _storeConnection = ConnectionString(
            "--store-connection",
            "With --store postgres, required: an Npgsql connection string, for example \"Host=127.0.0.1;Port=5432;Database=imagevolumecache;Username=postgres\".");
        _imageSizeMb = WholeNumber("--image-size-mb", 1, 512, "The size of the generated demo image, in MiB (at least 1).");
        _image = ExistingFile(
            "--image",
            "An image file to use instead of the generated one: raw, qcow2, vmdk, vhd, vhdx, vdi or iso; qcow2, vmdk, vhd, vhdx and vdi are converted with qemu-img on the miss.");
        _diskFormat = Choice(
            "--disk-format",
            SampleOptions.DiskFormats,
            "The format the image claims, checked against its bytes [default: detected from them].");
        _volumes = WholeNumber("--volumes", 2, 4, "How many volumes to make from the image (at least 2): the first is a miss, the others hits.");
        _keepVolumes = Flag(
            "--keep-volumes",
            "Keep the volumes after the run, to look at them (du shows how little they take); the next run deletes them and keeps the cache volumes.");
        _directImageClone = Flag(
            "--direct-image-clone",
            "Let the driver reflink the image file straight into volumes when both are on one reflink-capable file system (then the cache is skipped).");
        _warm = Flag(
            "--warm",
            "Warm the cache with the image (IImageVolumeCache.WarmAsync) before making the volumes, as a host does for its WarmImages at start-up: the first volume is then a hit too.");
        _glance = HttpUrl(
            "--glance",
            "Take the image from the Glance API at this URL (for example http://127.0.0.1:9292) instead of the folder; needs --glance-image. Interrupted downloads resume where they stopped.");
        _glanceImage = Text("--glance-image", "ID", "With --glance: the id of the Glance image to make the volumes from; the requester is project demo-project, user demo-user.");
        _glanceToken = Text(
            "--glance-token",
            "TOKEN",
            "With --glance: the requester's token, sent as X-Auth-Token [default: none; identity headers are sent instead, as a Glance without Keystone (eng/glance.sh) takes them].");

        _command = new RootCommand(
            "The image-volume cache on real files: a demo image, then volumes made from it on one file-system backend, "
            + $"{SampleOptions.Backend}. The first volume is a cache miss that fills a cache volume, the others clone it. The cache's "
            + "entries are kept (in a SQLite file by default), so a second run starts with hits.")
        {
            _dataDir, _reset, _store, _storeFile, _storeConnection, _imageSizeMb, _image, _diskFormat, _volumes, _keepVolumes, _directImageClone, _warm,
            _glance, _glanceImage, _glanceToken,
        };
        _command.Validators.Add(RequireConnectionForPostgres);
        _command.Validators.Add(RequireGlanceTogether);
        HelpOption help = _command.Options.OfType<HelpOption>().Single();
        help.Action = new SampleHelpAction((SynchronousCommandLineAction)help.Action!);
    }

    /// <summary>
    /// Parses <paramref name="args"/> and runs the sample, or prints the help or the version; returns the exit code.
    /// Usage errors go to <paramref name="error"/>, each naming the option and the value, and nothing is made.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, bool interactive, CancellationToken cancellationToken)
    {
        CacheConfigurationArguments cacheArguments = CacheConfigurationArguments.Split(args);
        var commandLine = new SampleCommandLine(SampleDataFolder.DefaultPath(Environment.GetEnvironmentVariable));
        commandLine._command.SetAction((parse, token) =>
            SampleRunner.RunAsync(commandLine.Bind(parse), cacheArguments.Settings, output, error, interactive, token));

        // No response files: an argument that starts with @ is a value, not a file of more arguments.
        ParseResult parse = commandLine._command.Parse(cacheArguments.Rest, new ParserConfiguration { ResponseFileTokenReplacer = null });
        var messages = new List<string>();
        if (parse.Action is ParseErrorAction)
        {
            messages.AddRange(parse.Errors.Select(e => e.Message));
        }

        if (parse.Action is ParseErrorAction || parse.Action == commandLine._command.Action)
        {
            messages.AddRange(cacheArguments.Errors); // not with --help or --version, which run nothing
        }

        if (messages.Count > 0)
        {
            foreach (string message in messages)
            {
                await error.WriteLineAsync(message);
            }

            await error.WriteLineAsync("Run the sample with --help to see its options.");
            return ExitCodes.Usage;
        }

        // Ctrl+C is the program's to handle (it cancels the token); an exception that escapes the sample is a bug, shown with its stack trace.
        var invocation = new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null };
        return await parse.InvokeAsync(invocation, cancellationToken);
    }

    private SampleOptions Bind(ParseResult parse) => new()
    {
        DataDirectory = parse.GetValue(_dataDir) ?? _defaultDataDirectory,
        Reset = IsOn(parse, _reset),
        Store = parse.GetValue(_store) ?? "sqlite",
        StoreFile = parse.GetValue(_storeFile) ?? string.Empty,
        StoreConnection = parse.GetValue(_storeConnection) ?? string.Empty,
        ImageSizeMb = parse.GetValue(_imageSizeMb),
        Image = parse.GetValue(_image) ?? string.Empty,
        ClaimedDiskFormat = parse.GetValue(_diskFormat),
        Volumes = parse.GetValue(_volumes),
        KeepVolumes = IsOn(parse, _keepVolumes),
        DirectImageClone = IsOn(parse, _directImageClone),
        Warm = IsOn(parse, _warm),
        Glance = parse.GetValue(_glance) ?? string.Empty,
        GlanceImage = parse.GetValue(_glanceImage) ?? string.Empty,
        GlanceToken = parse.GetValue(_glanceToken) ?? string.Empty,
    };

    /// <summary><c>--glance</c> and <c>--glance-image</c> go together; <c>--glance-token</c> needs <c>--glance</c>.</summary>
    private void RequireGlanceTogether(CommandResult result)
    {
        bool glance = result.GetResult(_glance) is not null;
        if (glance && result.GetResult(_glanceImage) is null)
        {
            result.AddError("--glance needs --glance-image with the id of the image to make the volumes from.");
        }
        else if (!glance && (result.GetResult(_glanceImage) is not null || result.GetResult(_glanceToken) is not null))
        {
            result.AddError("--glance-image and --glance-token need --glance with the URL of the Glance API.");
        }
    }

    /// <summary>
    /// With <c>--store postgres</c>, a connection string is needed: it names the server, the database and the user.
    /// Read from the options' words, since a value that failed its own check cannot be read.
    /// </summary>
    private void RequireConnectionForPostgres(CommandResult result)
    {
        static string Word(OptionResult? option) => option?.Tokens.LastOrDefault()?.Value.Trim() ?? string.Empty;
        if (Word(result.GetResult(_store)).Equals("postgres", StringComparison.OrdinalIgnoreCase) && Word(result.GetResult(_storeConnection)).Length == 0)
        {
            result.AddError(
                "--store postgres needs --store-connection with an Npgsql connection string, for example \"Host=127.0.0.1;Port=5432;Database=imagevolumecache;Username=postgres\".");
        }
    }
}
