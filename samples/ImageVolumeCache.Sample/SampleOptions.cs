namespace ImageVolumeCache.Sample;

/// <summary>The sample's own settings, as the command line gave them (see <see cref="SampleCommandLine"/>), already checked.</summary>
internal sealed class SampleOptions
{
    /// <summary>The one backend the sample registers, the one its volumes are made on.</summary>
    public const string Backend = "host1@fs";

    /// <summary>The disk formats <see cref="ClaimedDiskFormat"/> may be: those the folder image service holds.</summary>
    public static readonly IReadOnlyList<string> DiskFormats = ["raw", "qcow2", "vmdk", "vhd", "vhdx", "vdi", "iso"];

    /// <summary>The stores <see cref="Store"/> may name.</summary>
    public static readonly IReadOnlyList<string> Stores = ["sqlite", "memory", "postgres"];

    /// <summary>The folder holding <c>volumes/</c>, <c>images/</c>, <c>scratch/</c> and <c>cache.db</c>, as a full path.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Delete what an earlier run left in <see cref="DataDirectory"/> before starting, so the cache starts empty.</summary>
    public bool Reset { get; init; }

    /// <summary>The size of the generated demo image, in MiB.</summary>
    public int ImageSizeMb { get; init; } = 512;

    /// <summary>An image file to use instead of the generated one, in any of <see cref="DiskFormats"/>, as a full path; empty for none.</summary>
    public string Image { get; init; } = string.Empty;

    /// <summary>The disk format the image claims (checked against its bytes), in lower case; <see langword="null"/> when it is detected from them.</summary>
    public string? ClaimedDiskFormat { get; init; }

    /// <summary>How many volumes to make from the image (the first is a miss, the rest hits).</summary>
    public int Volumes { get; init; } = 4;

    /// <summary>Let the driver reflink the image file straight into volumes when it can (then the cache is not used).</summary>
    public bool DirectImageClone { get; init; }

    /// <summary>Keep the volumes after the run (they are deleted by default, to give the disk space back).</summary>
    public bool KeepVolumes { get; init; }

    /// <summary>Whether the image is warmed into the cache before the volumes are made (<c>--warm</c>).</summary>
    public bool Warm { get; init; }

    /// <summary>
    /// Where cache entries are kept, one of <see cref="Stores"/>: <c>sqlite</c> (a file, so a second run starts with
    /// hits), <c>memory</c>, or <c>postgres</c> (the database named by <see cref="StoreConnection"/>; a second run starts with hits too).
    /// </summary>
    public string Store { get; init; } = "sqlite";

    /// <summary>The SQLite file, as a full path; empty means <c>cache.db</c> in the data folder.</summary>
    public string StoreFile { get; init; } = string.Empty;

    /// <summary>The Npgsql connection string of the PostgreSQL store; required with <c>--store postgres</c>.</summary>
    public string StoreConnection { get; init; } = string.Empty;

    /// <summary>The root of a Glance API to take the image from instead of the folder (<c>--glance</c>); empty for none.</summary>
    public string Glance { get; init; } = string.Empty;

    /// <summary>With <see cref="Glance"/>, the id of the Glance image the volumes are made from.</summary>
    public string GlanceImage { get; init; } = string.Empty;

    /// <summary>With <see cref="Glance"/>, the requester's token (sent as X-Auth-Token); empty to send identity headers instead, as a Glance without Keystone takes them.</summary>
    public string GlanceToken { get; init; } = string.Empty;

    public bool UsesGlance => Glance.Length > 0;

    public bool StoresInMemory => Store == "memory";

    public bool StoresInPostgreSql => Store == "postgres";

    public string StoreFilePath => StoreFile.Length == 0 ? Path.Combine(DataDirectory, SampleDataFolder.StoreFileName) : StoreFile;

    public string VolumesDirectory => Path.Combine(DataDirectory, SampleDataFolder.VolumesFolderName);

    public string ImagesDirectory => Path.Combine(DataDirectory, SampleDataFolder.ImagesFolderName);

    /// <summary>Where images that are converted are downloaded, unless ImageVolumeCache:Conversion:ScratchDirectory names a folder: beside the volumes.</summary>
    public string ScratchDirectory => Path.Combine(DataDirectory, SampleDataFolder.ScratchFolderName);
}
