namespace ImageVolumeCache.DependencyInjection;

/// <summary>
/// The drivers of the registered backends, made once each on first use. Drivers the container made
/// (<c>AddBackend&lt;TDriver&gt;</c>) are disposed with it; a factory's instance belongs to the host.
/// </summary>
internal sealed class VolumeBackendRegistry : IAsyncDisposable, IDisposable
{
    private readonly Dictionary<string, Backend> _backends = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Backend>.AlternateLookup<ReadOnlySpan<char>> _backendsBySpan;

    public VolumeBackendRegistry(IServiceProvider services, IEnumerable<VolumeBackendRegistration> registrations)
    {
        foreach (VolumeBackendRegistration registration in registrations)
        {
            // The last registration of a name wins, as with other Microsoft.Extensions registrations.
            _backends[registration.Name] = new Backend(
                new Lazy<IVolumeDriver>(() => registration.Factory(services), LazyThreadSafetyMode.ExecutionAndPublication),
                registration.OwnedByContainer);
        }

        _backendsBySpan = _backends.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>
    /// Returns the driver of a volume's host string (<c>host@backend</c> or <c>host@backend#pool</c>) and the registered
    /// backend name, without cutting a new string from the host.
    /// </summary>
    /// <exception cref="ArgumentException">The backend is not registered.</exception>
    public IVolumeDriver GetDriverForHost(string host, out string backend)
    {
        int hash = host.IndexOf('#', StringComparison.Ordinal);
        ReadOnlySpan<char> name = hash < 0 ? host : host.AsSpan(0, hash);
        if (_backendsBySpan.TryGetValue(name, out string? registered, out Backend? found))
        {
            backend = registered;
            return found.Driver.Value;
        }

        backend = name.ToString();
        return GetDriver(backend); // throws, naming the registered backends
    }

    /// <summary>Returns the driver of a backend.</summary>
    /// <exception cref="ArgumentException">No backend of that name is registered.</exception>
    public IVolumeDriver GetDriver(string backend)
    {
        if (_backends.TryGetValue(backend, out Backend? found))
        {
            return found.Driver.Value;
        }

        string known = _backends.Count == 0 ? "none" : string.Join(", ", _backends.Keys.Order(StringComparer.Ordinal));
        throw new ArgumentException($"Backend '{backend}' is not registered (registered backends: {known}).", nameof(backend));
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
            (driver as IDisposable)?.Dispose();
        }
    }

    private IEnumerable<IVolumeDriver> OwnedDrivers() =>
        _backends.Values.Where(b => b.OwnedByContainer && b.Driver.IsValueCreated).Select(b => b.Driver.Value).ToList();

    private sealed record Backend(Lazy<IVolumeDriver> Driver, bool OwnedByContainer);
}
