namespace ImageVolumeCache.Backends;

/// <summary>
/// The drivers of the registered backends, made once each on first use. Drivers the container made
/// (<c>AddBackend&lt;TDriver&gt;</c>) are disposed with it; a factory's instance belongs to the host.
/// </summary>
internal sealed class VolumeBackendRegistry : IAsyncDisposable, IDisposable
{
    private readonly Dictionary<string, RegisteredBackend> _backends = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RegisteredBackend>.AlternateLookup<ReadOnlySpan<char>> _backendsBySpan;

    public VolumeBackendRegistry(IServiceProvider services, IEnumerable<VolumeBackendRegistration> registrations)
    {
        foreach (VolumeBackendRegistration registration in registrations)
        {
            // The last registration of a name wins, as with other Microsoft.Extensions registrations.
            _backends[registration.Name] = new RegisteredBackend(
                registration.Name,
                new Lazy<IVolumeDriver>(() => registration.Factory(services), LazyThreadSafetyMode.ExecutionAndPublication),
                registration.OwnedByContainer);
        }

        _backendsBySpan = _backends.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>
    /// Returns the backend of a volume's host string (<c>host@backend</c> or <c>host@backend#pool</c>), with its
    /// registered name, without cutting a new string from the host.
    /// </summary>
    /// <exception cref="ArgumentException">The backend is not registered.</exception>
    public RegisteredBackend GetBackendForHost(string host)
    {
        int hash = host.IndexOf('#', StringComparison.Ordinal);
        ReadOnlySpan<char> name = hash < 0 ? host : host.AsSpan(0, hash);
        return _backendsBySpan.TryGetValue(name, out RegisteredBackend? found) ? found : throw NotRegistered(name.ToString());
    }

    /// <summary>Returns the driver of a backend.</summary>
    /// <exception cref="ArgumentException">No backend of that name is registered.</exception>
    public IVolumeDriver GetDriver(string backend) =>
        _backends.TryGetValue(backend, out RegisteredBackend? found) ? found.Driver : throw NotRegistered(backend);

    /// <summary>
    /// Returns the driver that manages the volumes of a scope. That is the driver of the scope's own backend when this
    /// process registered it. For a scope of a cluster made by another member, it is the local backend that serves the
    /// same cluster: the one whose backend name (the part after <c>@</c>) is the cluster's, as Cinder names clusters
    /// (<c>cluster1@lvm</c> served by <c>host1@lvm</c> and <c>host2@lvm</c>). Any member of a cluster manages every
    /// volume of it, as in Cinder, so any member can evict, retire and reconcile the cluster's entries.
    /// </summary>
    /// <exception cref="ArgumentException">No registered backend serves the scope.</exception>
    public IVolumeDriver GetDriver(CacheScope scope) =>
        _backends.TryGetValue(scope.Backend, out RegisteredBackend? own) ? own.Driver
        : FindClusterMember(scope.Cluster) is { } member ? member.Driver
        : throw NotRegistered(scope.Backend);

    /// <summary>Whether entries of <paramref name="scope"/> are managed by <paramref name="backend"/> in this process.</summary>
    public bool Manages(string backend, CacheScope scope) =>
        string.Equals(scope.Backend, backend, StringComparison.Ordinal)
        || (!_backends.ContainsKey(scope.Backend) && FindClusterMember(scope.Cluster)?.Name == backend);

    /// <summary>The one registered backend whose name after <c>@</c> is the cluster's (before any <c>#pool</c>); none when there are none or several.</summary>
    private RegisteredBackend? FindClusterMember(string? cluster)
    {
        if (string.IsNullOrEmpty(cluster))
        {
            return null;
        }

        ReadOnlySpan<char> backendName = BackendPart(BackendNames.FromHost(cluster));
        if (backendName.IsEmpty)
        {
            return null;
        }

        RegisteredBackend? found = null;
        foreach (RegisteredBackend backend in _backends.Values)
        {
            if (BackendPart(backend.Name).SequenceEqual(backendName))
            {
                if (found is not null)
                {
                    return null; // two local backends of that name: which one serves the cluster is not known
                }

                found = backend;
            }
        }

        return found;
    }

    private static ReadOnlySpan<char> BackendPart(string name)
    {
        int at = name.IndexOf('@', StringComparison.Ordinal);
        return at < 0 ? default : name.AsSpan(at + 1);
    }

    private ArgumentException NotRegistered(string backend)
    {
        string known = _backends.Count == 0 ? "none" : string.Join(", ", _backends.Keys.Order(StringComparer.Ordinal));
        return new ArgumentException($"Backend '{backend}' is not registered (registered backends: {known}).", nameof(backend));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (IVolumeDriver driver in OwnedDrivers())
        {
            switch (driver)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    public void Dispose()
    {
        foreach (IVolumeDriver driver in OwnedDrivers())
        {
            switch (driver)
            {
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
                case IAsyncDisposable asyncDisposable:
                    // A container disposed synchronously still releases a driver that only disposes asynchronously.
                    asyncDisposable.DisposeAsync().AsTask().GetAwaiter().GetResult();
                    break;
            }
        }
    }

    private IEnumerable<IVolumeDriver> OwnedDrivers() =>
        _backends.Values.Where(b => b.OwnedByContainer && b.IsDriverCreated).Select(b => b.Driver).ToList();
}
