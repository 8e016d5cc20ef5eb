using Microsoft.Extensions.Hosting;

namespace ImageVolumeCache.Sqlite.Internal;

/// <summary>Opens, checks and migrates the SQLite file when the host starts, so that a bad file stops the host there.</summary>
internal sealed class SqliteStoreStartupCheck(SqliteCacheEntryStore store) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken) => await store.InitializeAsync(cancellationToken).ConfigureAwait(false);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
