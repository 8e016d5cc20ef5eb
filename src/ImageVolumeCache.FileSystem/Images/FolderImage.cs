namespace ImageVolumeCache.FileSystem;

/// <summary>An image to add to a <see cref="FolderImageService"/>: its id, owner and who may see it.</summary>
/// <param name="Id">The image id; a plain file name (its manifest is <c>&lt;id&gt;.json</c>).</param>
/// <param name="OwnerProjectId">The project that owns the image.</param>
public sealed record FolderImage(string Id, string OwnerProjectId)
{
    /// <summary>The image's name. Default <see langword="null"/>: the id.</summary>
    public string? Name { get; init; }

    /// <summary>Who may see the image. Default <see cref="ImageVisibility.Public"/>.</summary>
    public ImageVisibility Visibility { get; init; } = ImageVisibility.Public;

    /// <summary>
    /// The format the image's data claims to be (<c>disk_format</c>): <c>raw</c>, <c>qcow2</c>, <c>vmdk</c>, <c>vhd</c>,
    /// <c>vhdx</c>, <c>vdi</c> or <c>iso</c>, checked against the data when the image is added. Default
    /// <see langword="null"/>: detected from the data.
    /// </summary>
    public string? DiskFormat { get; init; }
}
