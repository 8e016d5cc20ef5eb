namespace ImageVolumeCache.Cli.Hosting;

/// <summary>What a command needs besides the store, checked before it changes anything.</summary>
[Flags]
internal enum ToolNeeds
{
    None = 0,

    /// <summary>
    /// The command changes the cache: the configuration must name the internal tenant, and each file-system backend's
    /// folder must hold the cache volumes its entries name (a wrong folder would make every volume look lost).
    /// </summary>
    ChangesCache = 1,

    /// <summary>The command asks the image service (warm downloads from it; reconcile checks an orphan's image before adopting it).</summary>
    ImageService = 2,

    /// <summary>The command checks cached images against the image service when there is one (trim): it must know some of them.</summary>
    KnownImages = 4,
}
