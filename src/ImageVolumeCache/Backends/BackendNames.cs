namespace ImageVolumeCache;

/// <summary>Helpers for Cinder-style host strings (<c>host@backend#pool</c>).</summary>
public static class BackendNames
{
    /// <summary>Returns the backend part of a host string: everything before the first <c>#</c>.</summary>
    /// <param name="host">A host string such as <c>host1@lvm#pool-a</c>.</param>
    /// <returns>The backend name, such as <c>host1@lvm</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="host"/> is <see langword="null"/>.</exception>
    public static string FromHost(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        int hash = host.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? host : host[..hash];
    }

    /// <summary>Returns the pool part of a host string: everything after the first <c>#</c>; empty when it names no pool.</summary>
    internal static string PoolFromHost(string host)
    {
        int hash = host.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? string.Empty : host[(hash + 1)..];
    }
}
