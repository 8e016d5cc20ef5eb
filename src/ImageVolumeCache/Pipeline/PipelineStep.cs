namespace ImageVolumeCache;

/// <summary>A step of <see cref="CreateFromImagePipeline"/>, as reported in <see cref="CreateVolumeFromImageResult.Steps"/>.</summary>
public enum PipelineStep
{
    /// <summary>Describing the image with the requester's context.</summary>
    DescribeImage,

    /// <summary>Asking the driver to clone the image itself.</summary>
    DirectClone,

    /// <summary>Cloning an image-volume named by the image's location.</summary>
    ImageVolumeClone,

    /// <summary>Looking the image up in the cache.</summary>
    CacheLookup,

    /// <summary>Making room for a new cache entry.</summary>
    EnsureSpace,

    /// <summary>Making and filling a new cache volume, and recording its entry.</summary>
    CreateCacheEntry,

    /// <summary>Cloning the target volume from a cache volume.</summary>
    CloneFromCache,

    /// <summary>Growing the target volume to the requested size.</summary>
    Extend,

    /// <summary>Making the target volume and downloading the image into it.</summary>
    Download,

    /// <summary>Waiting for another request that is making the cache entry for the same image in the same scope.</summary>
    CacheFillWait,

    /// <summary>Downloading an image that needs conversion into the scratch folder, verifying and inspecting it.</summary>
    DownloadToScratch,

    /// <summary>Making a volume and converting the downloaded image to raw into it.</summary>
    Convert,
}
