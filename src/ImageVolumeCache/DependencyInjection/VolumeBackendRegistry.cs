namespace ImageVolumeCache.DependencyInjection;

/// <summary>The drivers of the registered backends, made once each on first use.</summary>
internal sealed class VolumeBackendRegistry
{
    private readonly Dictionary<string, Lazy<IVolumeDriver>> _drivers = new(StringComparer.Ordinal);

    public VolumeBackendRegistry(IServiceProvider services, IEnumerable<VolumeBackendRegistration> registrations)
    {
        foreach (VolumeBackendRegistration registration in registrations)
        {
            // The last registration of a name wins, as with other Microsoft.Extensions registrations.
            _drivers[registration.Name] = new Lazy<IVolumeDriver>(() => registration.Factory(services), LazyThreadSafetyMode.ExecutionAndPublication);
        }
    }

    public IReadOnlyCollection<string> Names => _drivers.Keys;

    /// <summary>Returns the driver of a backend.</summary>
    /// <exception cref="ArgumentException">No backend of that name is registered.</exception>
    public IVolumeDriver GetDriver(string backend)
    {
        if (_drivers.TryGetValue(backend, out Lazy<IVolumeDriver>? driver))
        {
            return driver.Value;
        }

        string known = _drivers.Count == 0 ? "none" : string.Join(", ", _drivers.Keys.Order(StringComparer.Ordinal));
        throw new ArgumentException($"Backend '{backend}' is not registered (registered backends: {known}).", nameof(backend));
    }
}
