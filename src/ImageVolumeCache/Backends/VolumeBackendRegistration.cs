namespace ImageVolumeCache.Backends;

/// <summary>
/// One backend registered with <c>AddBackend</c>: its name, how to make its driver, and whether the container owns the
/// driver (made by <c>AddBackend&lt;TDriver&gt;</c>, so disposed with the container) or the host does (a factory's instance).
/// </summary>
internal sealed record VolumeBackendRegistration(string Name, Func<IServiceProvider, IVolumeDriver> Factory, bool OwnedByContainer);
