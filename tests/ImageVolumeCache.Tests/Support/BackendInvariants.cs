namespace ImageVolumeCache.Tests.Support;

/// <summary>
/// The no-leak invariants of the cache, checked against the fakes after a run:
/// every volume on a backend is a pre-existing volume, a volume returned to a caller, or the volume of exactly one cache
/// entry; every entry's volume exists. A volume whose failed deletion was logged with its id (events 1011, 1022) is
/// reported apart: the library told the operator about it.
/// </summary>
internal static class BackendInvariants
{
    private static readonly int[] CleanupFailureEvents = [1011, 1022];

    /// <summary>Returns the broken invariants, one line each; empty when all hold.</summary>
    public static async Task<IReadOnlyList<string>> ViolationsAsync(
        CacheHarness harness, IEnumerable<string> preExisting, IEnumerable<string> returned, Action<string>? loggedLeak = null)
    {
        var problems = new List<string>();
        IReadOnlyList<ImageCacheEntry> entries = await harness.Store.ListAsync(null, CancellationToken.None);
        var allowed = new HashSet<string>(preExisting, StringComparer.Ordinal);
        allowed.UnionWith(returned);

        foreach (IGrouping<string, ImageCacheEntry> shared in entries.GroupBy(e => e.VolumeId).Where(g => g.Count() > 1))
        {
            problems.Add($"volume {shared.Key} belongs to {shared.Count()} entries");
        }

        var existing = new HashSet<string>(harness.Driver.Volumes.Concat(harness.OtherDriver.Volumes).Select(v => v.Spec.Id), StringComparer.Ordinal);
        foreach (ImageCacheEntry entry in entries.Where(e => !existing.Contains(e.VolumeId)))
        {
            problems.Add($"entry {entry.Id} (image {entry.ImageId}) points at missing volume {entry.VolumeId}");
        }

        allowed.UnionWith(entries.Select(e => e.VolumeId));
        string[] logged = [.. harness.LogCollector.GetSnapshot().Where(r => CleanupFailureEvents.Contains(r.Id.Id)).Select(r => r.Message)];
        foreach (string volume in existing.Where(v => !allowed.Contains(v)))
        {
            if (logged.Any(m => m.Contains(volume, StringComparison.Ordinal)))
            {
                loggedLeak?.Invoke(volume);
            }
            else
            {
                problems.Add($"volume {volume} is neither pre-existing, returned, nor an entry's, and no failed cleanup names it");
            }
        }

        return problems;
    }
}
