using System.Text;
using ImageVolumeCache.Cli.Configuration;
using ImageVolumeCache.FileSystem;
using Npgsql;

namespace ImageVolumeCache.Cli.Hosting;

/// <summary>
/// Checks made before a command can change anything, each a <see cref="ToolUsageException"/> naming what is wrong: the
/// store exists (ivc opens a store a host made and never makes or migrates a new one), a file-system backend's folder
/// is the one its entries' cache volumes are in, and the image service knows the cached images.
/// </summary>
internal static class ToolPreflight
{
    private static readonly byte[] SqliteHeader = Encoding.ASCII.GetBytes("SQLite format 3\0");

    /// <summary>Before the store is opened: a SQLite file that is a database, a PostgreSQL schema that exists.</summary>
    public static async Task CheckStoreExistsAsync(ToolSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Store == StoreKind.Sqlite)
        {
            byte[] header = new byte[SqliteHeader.Length];
            int read;
            await using (FileStream file = File.OpenRead(settings.SqlitePath!))
            {
                read = await file.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken);
            }

            if (read < header.Length || !header.AsSpan().SequenceEqual(SqliteHeader))
            {
                throw new CacheEntryStoreException(
                    settings.SqlitePath!, $"'{settings.SqlitePath}' is not a SQLite database (empty, or another kind of file); ivc opens the store a host made and never makes one.");
            }

            return;
        }

        string schema = settings.PostgreSqlSchema ?? ImageVolumeCache.PostgreSql.PostgreSqlCacheEntryStoreOptions.DefaultSchema;
        bool exists;
        try
        {
            await using var dataSource = NpgsqlDataSource.Create(settings.PostgreSqlConnection!);
            await using NpgsqlCommand query = dataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)");
            query.Parameters.Add(new NpgsqlParameter { Value = schema });
            exists = (bool)(await query.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (Exception ex) when (ex is NpgsqlException or ArgumentException)
        {
            throw new CacheEntryStoreException("PostgreSQL", $"The PostgreSQL server cannot be used: {ex.Message}", ex);
        }

        if (!exists)
        {
            throw new ToolUsageException($"There is no schema '{schema}' on the PostgreSQL server (--postgres-schema, Store:PostgreSqlSchema); ivc opens the store a host made and never makes one.");
        }
    }

    /// <summary>
    /// After the store is opened, before a command changes the cache: each file-system backend with entries must list at
    /// least one of their cache volumes. A mistyped folder would otherwise make every volume look lost: evictions would
    /// drop entries and leave their volumes, and reconcile would remove every entry.
    /// </summary>
    public static async Task CheckBackendFoldersAsync(ToolSettings settings, ToolHost host, IReadOnlyList<ImageCacheEntry> entries, CancellationToken cancellationToken)
    {
        foreach ((string name, string directory) in settings.FileSystemBackends)
        {
            ImageCacheEntry[] own = [.. entries.Where(e => host.Serves(name, e.ScopeKey))];
            if (own.Length == 0)
            {
                continue;
            }

            var driver = new FileSystemVolumeDriver(new FileSystemVolumeDriverOptions { BackendName = name, Directory = directory });
            HashSet<string> listed = [.. (await driver.ListVolumesAsync(cancellationToken)).Select(v => v.Spec.Id)];
            if (!own.Any(e => listed.Contains(e.VolumeId)))
            {
                throw new ToolUsageException(
                    $"The folder '{directory}' of backend {name} holds none of the {own.Length} cache volume(s) its entries name (for example {own[0].VolumeId}); "
                    + "is it the backend's volumes folder? Nothing was changed. If every volume really is gone, a host's reconciliation at start-up removes the entries.");
            }
        }
    }

    /// <summary>Before trim checks cached images: the image service must know at least one of them (a wrong folder would make every image look deleted).</summary>
    public static async Task CheckImagesKnownAsync(ToolHost host, IReadOnlyList<ImageCacheEntry> entries, CancellationToken cancellationToken)
    {
        if (host.ImageService is not { } images || host.InternalTenant is not { } tenant)
        {
            return;
        }

        string[] cached = [.. entries.Select(e => e.ImageId).Distinct(StringComparer.Ordinal).Take(20)];
        if (cached.Length == 0)
        {
            return;
        }

        var administrator = new RequestContext(tenant.ProjectId!, tenant.UserId!) { IsAdmin = true };
        foreach (string imageId in cached)
        {
            try
            {
                await images.GetImageAsync(administrator, imageId, cancellationToken);
                return;
            }
            catch (ImageNotFoundException)
            {
            }
        }

        throw new ToolUsageException(
            $"The image service knows none of the {cached.Length} cached images it was asked about (for example {cached[0]}); is the image folder right "
            + "(--image-folder, ImageVolumeCacheTool:ImageFolder)? Nothing was changed: trim would have evicted every one of them as deleted.");
    }
}
