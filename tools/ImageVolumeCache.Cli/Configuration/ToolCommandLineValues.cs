namespace ImageVolumeCache.Cli.Configuration;

/// <summary>The tool's global options as given on the command line; <see langword="null"/> or empty when not given.</summary>
internal sealed record ToolCommandLineValues
{
    public string? ConfigFile { get; init; }

    public string CacheSection { get; init; } = ToolSettingsReader.DefaultCacheSection;

    public string ToolSection { get; init; } = ToolSettingsReader.DefaultToolSection;

    public string? Sqlite { get; init; }

    public string? PostgreSql { get; init; }

    public string? PostgreSqlSchema { get; init; }

    /// <summary><c>--fs-backend NAME=DIRECTORY</c>, in order.</summary>
    public IReadOnlyList<string> FileSystemBackends { get; init; } = [];

    public string? ImageFolder { get; init; }

    public IReadOnlyList<string> Plugins { get; init; } = [];
}
