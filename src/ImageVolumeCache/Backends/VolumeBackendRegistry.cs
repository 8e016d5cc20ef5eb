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

    /// <summary>The names of the registered backends, in ordinal order.</summary>
    public IReadOnlyList<string> Names => [.. _backends.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Whether a backend of that name is registered.</summary>
    public bool IsRegistered(string backend) => _backends.ContainsKey(backend);

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
