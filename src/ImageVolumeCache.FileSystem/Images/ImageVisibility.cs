namespace ImageVolumeCache.FileSystem;

/// <summary>Who may see an image of a <see cref="FolderImageService"/>.</summary>
public enum ImageVisibility
{
    /// <summary>Every project.</summary>
    Public = 0,

    /// <summary>Only the owner project (and administrators).</summary>
    Private = 1,
}
