namespace ImageVolumeCache;

/// <summary>A volume a driver was asked to use does not exist on its backend.</summary>
public sealed class VolumeNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="volumeId">The missing volume's id.</param>
    public VolumeNotFoundException(string volumeId)
        : base($"Volume '{volumeId}' was not found.")
    {
        VolumeId = volumeId;
    }

    /// <summary>The missing volume's id.</summary>
    public string VolumeId { get; }
}
