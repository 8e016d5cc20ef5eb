namespace ImageVolumeCache.Backends;

/// <summary>A registered backend: its name and its driver, made on first use.</summary>
internal sealed class RegisteredBackend(string name, Lazy<IVolumeDriver> driver, bool ownedByContainer)
{
    /// <summary>The backend name, as registered (<c>host@backend</c>).</summary>
    public string Name { get; } = name;

    /// <summary>The backend's driver; made by the first call.</summary>
    public IVolumeDriver Driver => driver.Value;

    /// <summary>The container made the driver, so disposes it.</summary>
    public bool OwnedByContainer { get; } = ownedByContainer;

    public bool IsDriverCreated => driver.IsValueCreated;
}
