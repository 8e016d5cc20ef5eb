using System.Runtime.CompilerServices;
using ImageVolumeCache.FileSystem.Images;

namespace ImageVolumeCache.FileSystem;

// The disk formats a folder image holds: each image's format is found (or its claim checked) by the inspector when the
// image is added and recorded in its manifest; a manifest naming any other format is refused when read.
public sealed partial class FolderImageService
{
    private static readonly string[] SupportedDiskFormats = ["raw", "qcow2", "vmdk", "vhd", "vhdx", "vdi", "iso"];

    /// <summary>The format the inspector found (or the claim it confirmed), and its virtual size when it is not raw.</summary>
    private readonly record struct InspectedFormat(string DiskFormat, long? VirtualSize);

    /// <summary>The format <paramref name="image"/> claims, in lower case; <see langword="null"/> when it claims none.</summary>
    private static string? ClaimedDiskFormat(FolderImage image) => image.DiskFormat is null
        ? null
        : Supported(image.DiskFormat) ?? throw new ArgumentException(
            $"Image '{image.Id}' claims disk_format '{image.DiskFormat}', which is not one of {string.Join(", ", SupportedDiskFormats)}.",
            nameof(image));

    /// <summary>The manifest's <c>disk_format</c> in lower case (raw when it has none); throws when it is not a supported format.</summary>
    private static string KnownDiskFormat(string manifestPath, ImageManifest manifest) =>
        Supported(manifest.DiskFormat ?? "raw") ?? throw new InvalidDataException(
            $"The manifest {manifestPath} of image '{manifest.Id}' has disk_format '{manifest.DiskFormat}', which is not one of {string.Join(", ", SupportedDiskFormats)}.");

    private static string? Supported(string? diskFormat) =>
        Array.Find(SupportedDiskFormats, known => string.Equals(known, diskFormat, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Inspects the image file at <paramref name="path"/>: detects its format, or checks <paramref name="claimed"/>; a
    /// refusal is the inspector's <see cref="ImageUnacceptableException"/>.
    /// </summary>
    private static async Task<InspectedFormat> InspectAsync(string imageId, string path, string? claimed, CancellationToken cancellationToken)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096, useAsync: true);
        await using ConfiguredAsyncDisposable fileScope = file.ConfigureAwait(false);
        DiskImageInspection inspection = await DiskImageInspector.InspectAsync(imageId, file, claimed, cancellationToken).ConfigureAwait(false);

        // A claim the inspector accepted is kept as claimed (an ISO may be claimed as raw); a detected format must be one
        // this service holds (the inspector also knows LUKS, which it does not).
        string format = claimed ?? Supported(inspection.Format.ToString())
            ?? throw new ImageUnacceptableException(imageId, $"Image '{imageId}' is a {inspection.Format.ToString().ToLowerInvariant()} image; a folder image service holds only {string.Join(", ", SupportedDiskFormats)} images.");
        return new InspectedFormat(format, format == "raw" ? null : inspection.VirtualSize);
    }
}
