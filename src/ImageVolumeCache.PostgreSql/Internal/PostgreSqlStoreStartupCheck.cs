using Microsoft.Extensions.Hosting;

namespace ImageVolumeCache.PostgreSql.Internal;

/// <summary>Connects to the server and migrates the schema when the host starts, so that a bad configuration stops the host there.</summary>
internal sealed class PostgreSqlStoreStartupCheck(PostgreSqlCacheEntryStore store) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken) => await store.InitializeAsync(cancellationToken).ConfigureAwait(false);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
