namespace ImageVolumeCache.Sample;

/// <summary>The sample's own settings: the <c>Sample</c> section of appsettings.json, overridden by command-line options.</summary>
internal sealed class SampleOptions
{
    /// <summary>Command-line options and the keys they set.</summary>
    public static readonly IReadOnlyDictionary<string, string> SwitchMappings = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--backend"] = "Sample:Backend",
        ["--data-dir"] = "Sample:DataDir",
        ["--image-size-mb"] = "Sample:ImageSizeMb",
        ["--image"] = "Sample:Image",
        ["--disk-format"] = "Sample:DiskFormat",
        ["--volumes"] = "Sample:Volumes",
        ["--direct-image-clone"] = "Sample:DirectImageClone",
        ["--keep-volumes"] = "Sample:KeepVolumes",
        ["--store"] = "Sample:Store",
        ["--store-file"] = "Sample:StoreFile",
        ["--store-connection"] = "Sample:StoreConnection",
    };

    /// <summary>The backend the volumes are made on.</summary>
    public string Backend { get; set; } = "host1@fs";

    /// <summary>The folder holding <c>volumes/</c> and <c>images/</c>; empty means a folder under the system temp directory.</summary>
    public string DataDir { get; set; } = string.Empty;

    /// <summary>The size of the generated demo image, in MiB.</summary>
    public int ImageSizeMb { get; set; } = 512;

    /// <summary>The disk formats <see cref="DiskFormat"/> may claim: those the folder image service holds.</summary>
    public static readonly IReadOnlyList<string> DiskFormats = ["raw", "qcow2", "vmdk", "vhd", "vhdx", "vdi", "iso"];

    /// <summary>An image file to use instead of the generated one, in any of <see cref="DiskFormats"/>.</summary>
    public string Image { get; set; } = string.Empty;

    /// <summary>The disk format the image claims (checked against its bytes); empty means detected from them.</summary>
    public string DiskFormat { get; set; } = string.Empty;

    /// <summary>How many volumes to make from the image (the first is a miss, the rest hits).</summary>
    public int Volumes { get; set; } = 4;

    /// <summary>Let the driver reflink the image file straight into volumes when it can (then the cache is not used).</summary>
    public bool DirectImageClone { get; set; }

    /// <summary>Keep the volumes after the run (they are deleted by default, to give the disk space back).</summary>
    public bool KeepVolumes { get; set; }

    /// <summary>
    /// Where cache entries are kept: <c>sqlite</c> (a file, so a second run starts with hits), <c>memory</c>, or
    /// <c>postgres</c> (a PostgreSQL database named by <see cref="StoreConnection"/>; a second run starts with hits too).
    /// </summary>
    public string Store { get; set; } = "sqlite";

    /// <summary>The SQLite file; empty means <c>cache.db</c> in the data folder.</summary>
    public string StoreFile { get; set; } = string.Empty;

    /// <summary>The Npgsql connection string of the PostgreSQL store; required with <c>--store postgres</c>.</summary>
    public string StoreConnection { get; set; } = string.Empty;

    public bool StoresInMemory => string.Equals(Store, "memory", StringComparison.OrdinalIgnoreCase);

    public bool StoresInPostgreSql => string.Equals(Store, "postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>The claimed disk format in lower case; <see langword="null"/> when none is claimed (the format is detected).</summary>
    public string? ClaimedDiskFormat => string.IsNullOrWhiteSpace(DiskFormat) ? null : DiskFormat.Trim().ToLowerInvariant();

    public bool IsDiskFormatKnown => ClaimedDiskFormat is null || DiskFormats.Contains(ClaimedDiskFormat);

    public bool IsStoreKnown => StoresInMemory || StoresInPostgreSql || string.Equals(Store, "sqlite", StringComparison.OrdinalIgnoreCase);

    /// <summary>With <c>--store postgres</c>, a connection string is needed: it names the server, the database and the user.</summary>
    public bool LacksStoreConnection => StoresInPostgreSql && string.IsNullOrWhiteSpace(StoreConnection);

    public string StoreFilePath => string.IsNullOrWhiteSpace(StoreFile) ? Path.Combine(DataDirectory, "cache.db") : Path.GetFullPath(StoreFile);

    public string DataDirectory => string.IsNullOrWhiteSpace(DataDir) ? Path.Combine(Path.GetTempPath(), "imagevolumecache-sample") : Path.GetFullPath(DataDir);

    public string VolumesDirectory => Path.Combine(DataDirectory, "volumes");

    public string ImagesDirectory => Path.Combine(DataDirectory, "images");

    /// <summary>Where images that are converted are downloaded, unless ImageVolumeCache:Conversion:ScratchDirectory names a folder: beside the volumes.</summary>
    public string ScratchDirectory => Path.Combine(DataDirectory, "scratch");
}
