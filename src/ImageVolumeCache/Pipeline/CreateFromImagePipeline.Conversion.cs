using ImageVolumeCache.Diagnostics;
using ImageVolumeCache.Images.Conversion;
using ImageVolumeCache.Images.Formats;
using ImageVolumeCache.Pipeline;

namespace ImageVolumeCache;

/// <summary>
/// Images that are not copied as they are (qcow2, VMDK, VHD, VHDX, VDI): downloaded into a scratch folder, verified,
/// inspected, and only then converted to raw with qemu-img, into the volume's local path when the driver offers one.
/// </summary>
public sealed partial class CreateFromImagePipeline
{
    /// <summary>
    /// Downloads the image into a new scratch folder (after checking there is room for it, and for the converted image
    /// when it cannot go straight into a volume), verifies its length and checksum, and inspects it: its format must be
    /// the claimed one and safe, and its header's virtual size must fit the request's volume and may not exceed what
    /// the image service claims. Nothing is made on the backend before this passes.
    /// </summary>
    private async ValueTask<PreparedImage> PrepareAsync(PipelineRun run, ImageInfo image, CancellationToken cancellationToken)
    {
        long started = run.Start(PipelineStep.DownloadToScratch, image.SizeBytes);
        try
        {
            // A claim no inspection could accept (qed, ploop, aki…) is refused before anything is downloaded.
            DiskImageInspector.CheckClaim(image.Id, image.DiskFormat);
        }
        catch (ImageUnacceptableException ex)
        {
            run.ImageFailure = ex;
            run.RefusedForEveryone = ex;
            throw;
        }

        bool local = run.Driver is ILocalVolumeAccess && !run.Target.Encrypted;
        long converted = local ? 0 : Math.Max(image.VirtualSizeBytes ?? 0, 0);
        long required = image.SizeBytes > long.MaxValue - converted ? long.MaxValue : image.SizeBytes + converted;
        ScratchFolder folder = _scratch.Create(image.Id, required, local ? "the download" : "the download and the converted image");
        ImageInfo inspected;
        try
        {
            await DownloadAsync(run, image, new ScratchFileSink(folder.DownloadPath), $"scratch folder {folder.Path}", PipelineStep.DownloadToScratch, cancellationToken).ConfigureAwait(false);
            DiskImageInspection inspection;
            var file = new FileStream(folder.DownloadPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous);
            await using (file.ConfigureAwait(false))
            {
                inspection = await DiskImageInspector.InspectAsync(image.Id, file, image.DiskFormat, cancellationToken).ConfigureAwait(false);
            }

            if (image.VirtualSizeBytes is { } claimed && inspection.VirtualSize > claimed)
            {
                throw new ImageUnacceptableException(
                    image.Id,
                    $"Image {image.Id} is refused (virtual size): it claims a virtual size of {claimed} bytes, but its {DiskFormatNames.Name(inspection.Format)} header gives {inspection.VirtualSize}.");
            }

            inspected = image with { VirtualSizeBytes = inspection.VirtualSize };
            run.Prepared = new PreparedImage(folder, inspection.Format, inspected);
        }
        catch (Exception ex)
        {
            if (ex is ImageUnacceptableException refusal)
            {
                run.ImageFailure = refusal;
                run.RefusedForEveryone = refusal;
            }

            folder.Dispose();
            throw;
        }

        run.Record(PipelineStep.DownloadToScratch, started);
        run.Ended(PipelineStep.DownloadToScratch);
        try
        {
            // This request's own volume may be too small for the disk: a refusal of this request only.
            CheckSize(inspected, run.Target);
        }
        catch (ImageUnacceptableException ex)
        {
            run.ImageFailure = ex;
            throw;
        }

        return run.Prepared;
    }

    /// <summary>
    /// Makes the volume and converts the prepared image into it: through the driver's local path when it has one
    /// (<see cref="ILocalVolumeAccess"/>), sparse; otherwise into a raw scratch file (once per request) that is copied in.
    /// On failure the volume is deleted and the exception thrown.
    /// </summary>
    private async ValueTask CreateAndConvertAsync(PipelineRun run, VolumeSpec volume, PreparedImage prepared, CancellationToken cancellationToken)
    {
        ImageInfo image = prepared.Image;
        long started = run.Start(PipelineStep.Convert, image.VirtualSizeBytes);
        bool made = false;
        try
        {
            await run.Driver.CreateVolumeAsync(volume, cancellationToken).ConfigureAwait(false);
            made = true;
            // An encrypted volume is written only through the driver's copy, which encrypts: never through its file.
            ILocalVolumeAccess? access = volume.Encrypted ? null : run.Driver as ILocalVolumeAccess;
            string? localPath = access is null ? null : await access.BeginLocalWriteAsync(volume.Id, cancellationToken).ConfigureAwait(false);
            if (localPath is not null)
            {
                await ConvertAsync(run, prepared, localPath, intoExisting: true, cancellationToken).ConfigureAwait(false);
                await access!.CompleteLocalWriteAsync(volume.Id, prepared.RawImage, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                if (!prepared.Converted)
                {
                    _scratch.EnsureRoom(image.Id, prepared.Folder.Path, image.VirtualSizeBytes!.Value, "the converted image");
                    await ConvertAsync(run, prepared, prepared.Folder.ConvertedPath, intoExisting: false, cancellationToken).ConfigureAwait(false);
                    CheckConvertedLength(run, prepared);
                    prepared.Converted = true;
                }

                var raw = new FileStream(prepared.Folder.ConvertedPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous);
                await using (raw.ConfigureAwait(false))
                {
                    await run.Driver.CopyImageToVolumeAsync(volume.Id, prepared.RawImage, raw, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch
        {
            await CleanupAsync(run.Driver, volume.Id, run.Backend, made).ConfigureAwait(false);
            throw;
        }

        run.Record(PipelineStep.Convert, started);
        run.Ended(PipelineStep.Convert);
    }

    /// <summary>The converted disk must be exactly the virtual size inspected: qemu-img read the header the inspector read.</summary>
    private static void CheckConvertedLength(PipelineRun run, PreparedImage prepared)
    {
        long length = new FileInfo(prepared.Folder.ConvertedPath).Length;
        long expected = prepared.Image.VirtualSizeBytes!.Value;
        if (length != expected)
        {
            var refusal = new ImageUnacceptableException(
                prepared.Image.Id,
                $"Image {prepared.Image.Id} is refused (virtual size): qemu-img made a disk of {length} bytes from it, but its header was inspected as {expected} bytes.");
            run.ImageFailure = refusal;
            throw refusal;
        }
    }

    private async ValueTask ConvertAsync(PipelineRun run, PreparedImage prepared, string target, bool intoExisting, CancellationToken cancellationToken)
    {
        ImageInfo image = prepared.Image;
        string format = DiskFormatNames.Name(prepared.Format);
        Log.ImageConverting(_logger, image.Id, format, image.VirtualSizeBytes!.Value, target);
        long started = run.Now();
        try
        {
            Action<double>? converted = run.Progress is { } progress ? progress.Converted : null;
            await _converter.ConvertAsync(image.Id, prepared.Folder.DownloadPath, prepared.Format, target, intoExisting, converted, cancellationToken).ConfigureAwait(false);
        }
        catch (ImageUnacceptableException ex)
        {
            run.ImageFailure = ex;
            throw;
        }
        catch (InvalidOperationException)
        {
            run.ConversionUnavailable = true;
            throw;
        }

        TimeSpan elapsed = _time.GetElapsedTime(started);
        Log.ImageConverted(_logger, image.Id, format, elapsed.TotalMilliseconds);
        _metrics.Converted(run.Backend, format, elapsed, image.VirtualSizeBytes!.Value);
    }
}
