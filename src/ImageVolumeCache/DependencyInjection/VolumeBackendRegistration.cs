namespace ImageVolumeCache.DependencyInjection;

/// <summary>One backend registered with <c>AddBackend</c>: its name and how to make its driver.</summary>
internal sealed record VolumeBackendRegistration(string Name, Func<IServiceProvider, IVolumeDriver> Factory);
