namespace ImageVolumeCache.Cli.Configuration;

/// <summary>Which entry store the tool opens.</summary>
internal enum StoreKind
{
    /// <summary>A SQLite file (<c>Store:Sqlite</c>, <c>--sqlite</c>).</summary>
    Sqlite,

    /// <summary>A PostgreSQL schema (<c>Store:PostgreSql</c>, <c>--postgres</c>).</summary>
    PostgreSql,
}
