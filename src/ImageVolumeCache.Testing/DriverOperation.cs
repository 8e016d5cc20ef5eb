namespace ImageVolumeCache.Testing;

/// <summary>The operations of <see cref="IVolumeDriver"/>, as <see cref="InMemoryVolumeDriver"/> records them.</summary>
public enum DriverOperation
{
    /// <summary><see cref="IVolumeDriver.TryCloneImageAsync"/>.</summary>
    TryCloneImage,

    /// <summary><see cref="IVolumeDriver.CreateVolumeAsync"/>.</summary>
    Create,

    /// <summary><see cref="IVolumeDriver.CloneVolumeAsync"/>.</summary>
    Clone,

    /// <summary><see cref="IVolumeDriver.ExtendVolumeAsync"/>.</summary>
    Extend,

    /// <summary><see cref="IVolumeDriver.CopyImageToVolumeAsync"/>.</summary>
    CopyImage,

    /// <summary><see cref="IVolumeDriver.DeleteVolumeAsync"/>.</summary>
    Delete,

    /// <summary><see cref="IVolumeDriver.ListVolumesAsync"/>; the call's volume id is empty.</summary>
    List,

    /// <summary><see cref="IVolumeDriver.GetVolumeAsync"/>.</summary>
    Get,
}
