namespace ImageVolumeCache;

/// <summary>
/// A driver was asked to make a volume whose id is already taken on its backend. The existing volume is left as it was;
/// the pipeline never deletes a volume it did not make.
/// </summary>
public sealed class VolumeAlreadyExistsException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="volumeId">The id that is already taken.</param>
    /// <param name="backend">The backend the volume exists on, for the message; may be empty.</param>
    public VolumeAlreadyExistsException(string volumeId, string backend)
        : base(string.IsNullOrEmpty(backend)
            ? $"Volume '{volumeId}' already exists."
            : $"Volume '{volumeId}' already exists on backend '{backend}'.")
    {
        VolumeId = volumeId;
        Backend = backend;
    }

    /// <summary>The id that is already taken.</summary>
    public string VolumeId { get; }

    /// <summary>The backend the volume exists on; may be empty.</summary>
    public string Backend { get; }
}
