using ImageVolumeCache.Diagnostics;

namespace ImageVolumeCache.Caching;

/// <summary>
/// A host joining a cluster (Cinder's <c>include_in_cluster</c>): the host-scoped entries of a backend, of every pool, move
/// into the cluster it is configured to serve, so that every member hits them; an entry whose image the cluster holds
/// already is evicted instead, through the removal protocol, so never while another request clones from it.
/// </summary>
internal sealed partial class DefaultImageVolumeCache
{
    public async ValueTask<int> IncludeInClusterAsync(string backend, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(backend);
        _ = _backends.GetDriver(backend); // an unregistered backend is an ArgumentException naming the registered ones
        _options.CurrentValue.Backends.TryGetValue(backend, out BackendCacheOptions? own);
        string cluster = string.IsNullOrWhiteSpace(own?.Cluster)
            ? throw new InvalidOperationException(
                $"Backend '{backend}' cannot be included in a cluster: it serves none. Set the option Backends:{backend}:Cluster to the cluster's name first.")
            : own.Cluster;
        if (!IsEnabled(backend))
        {
            return 0;
        }

        IReadOnlyList<ImageCacheEntry> all = await ListEntriesAsync(cancellationToken).ConfigureAwait(false);
        string[] hostScopes = [.. all
            .Where(e => string.IsNullOrEmpty(e.Cluster) && string.Equals(e.Scope.Backend, backend, StringComparison.Ordinal))
            .Select(e => e.ScopeKey)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];
        int moved = 0, evicted = 0, kept = 0;
        foreach (string scopeKey in hostScopes)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // The pool stays: host@backend#pool goes to cluster@backend#pool, as the scope of a clustered volume of that pool is.
            string clusterScope = cluster + scopeKey[backend.Length..];
            ScopeMoveResult result = await RetryQuarantinedAsync(
                (scopeKey, clusterScope), static (store, s, ct) => store.MoveToClusterAsync(s.scopeKey, s.clusterScope, ct), cancellationToken).ConfigureAwait(false);
            moved += result.Moved.Count;
            Log.ScopeIncludedInCluster(_logger, scopeKey, clusterScope, result.Moved.Count, result.Conflicts.Count);
            foreach (ImageCacheEntry conflict in result.Conflicts)
            {
                if (await EvictCoreAsync(conflict, EvictionReason.ClusterConflict, CancellationToken.None).ConfigureAwait(false))
                {
                    evicted++;
                }
                else
                {
                    kept++;
                    Log.ClusterConflictKept(_logger, conflict.Id, conflict.ImageId, conflict.VolumeId, scopeKey, clusterScope);
                }
            }

            await RefreshTotalsAsync(new CacheScope(scopeKey, null), CancellationToken.None).ConfigureAwait(false);
            await RefreshTotalsAsync(new CacheScope(scopeKey, clusterScope), CancellationToken.None).ConfigureAwait(false);
        }

        Log.IncludedInCluster(_logger, backend, cluster, moved, evicted, kept);
        return moved;
    }
}
