using Microsoft.Extensions.Configuration;

namespace ImageVolumeCache.Cli.Configuration;

/// <summary>
/// What the tool opens: the host's configuration (its cache section, bound as the host binds it), the entry store, the
/// file-system backends, the folder image service, and the plug-ins that register other backends or image services.
/// Read by <see cref="ToolSettingsReader"/> from the configuration file and the command line.
/// </summary>
internal sealed class ToolSettings
{
    /// <summary>The whole configuration: the file's, with the tool's command-line values over it.</summary>
    public required IConfiguration Configuration { get; init; }

    /// <summary>The path of the cache's section (<c>--section</c>).</summary>
    public required string CacheSection { get; init; }

    /// <summary>The path of the tool's own section (<c>--tool-section</c>), for messages.</summary>
    public required string ToolSection { get; init; }

    /// <summary>The configuration file read, or <see langword="null"/> when none was (no <c>--config</c> and no <c>appsettings.json</c> here).</summary>
    public string? ConfigurationFile { get; init; }

    public required StoreKind Store { get; init; }

    /// <summary>The SQLite file (an existing one: the tool never makes a store).</summary>
    public string? SqlitePath { get; init; }

    /// <summary>The Npgsql connection string.</summary>
    public string? PostgreSqlConnection { get; init; }

    /// <summary>The PostgreSQL schema, or <see langword="null"/> for the store's default.</summary>
    public string? PostgreSqlSchema { get; init; }

    /// <summary>The file-system backends: name (<c>host@backend</c>) to their volumes folder.</summary>
    public required IReadOnlyDictionary<string, string> FileSystemBackends { get; init; }

    /// <summary>The folder image service's folder, or <see langword="null"/> for none (or a plug-in's).</summary>
    public string? ImageFolder { get; init; }

    /// <summary>The plug-in assemblies, full paths.</summary>
    public required IReadOnlyList<string> Plugins { get; init; }
}
