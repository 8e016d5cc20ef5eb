namespace ImageVolumeCache;

/// <summary>The internal tenant that owns cache volumes; users never see its volumes.</summary>
public sealed class InternalTenantOptions
{
    /// <summary>The project id of the internal tenant. Default <see langword="null"/> (unset).</summary>
    public string? ProjectId { get; set; }

    /// <summary>The user id of the internal tenant. Default <see langword="null"/> (unset).</summary>
    public string? UserId { get; set; }

    /// <summary>Whether both ids are set.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(ProjectId) && !string.IsNullOrWhiteSpace(UserId);
}
