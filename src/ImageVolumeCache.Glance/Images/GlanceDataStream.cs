using System.Net;
using ImageVolumeCache.Glance.Diagnostics;
using Polly.Timeout;

namespace ImageVolumeCache.Glance.Images;

/// <summary>
/// An image's data as Glance sends it, which survives interruptions: when the connection drops, ends early, or brings
/// nothing for the stall timeout, the rest is asked for from the first byte not yet read (<c>Range</c>), of the same
/// version only (<c>If-Range</c> with the first response's ETag or Last-Modified). The reader sees one unbroken stream,
/// so the cache's checksum runs on across a resume. When the server can only send the data from its start, or the image
/// changed meanwhile, the read throws <see cref="ImageDownloadRestartException"/> and the cache starts over with a
/// fresh checksum. <see cref="ImageVolumeCacheOptions.DownloadRetries"/> bounds the interruptions in a row that bring no
/// new byte.
/// </summary>
internal sealed class GlanceDataStream : Stream
{
    private readonly GlanceImageService _service;
    private readonly RequestContext _context;
    private readonly string _imageId;
    private readonly GlanceDataVersion _version;
    private readonly TimeSpan _stallTimeout;
    private readonly int _retries;
    private readonly TimeProvider _time;
    private HttpResponseMessage? _response;
    private Stream? _content;
    private long _position;
    private int _interruptionsInARow;

    public GlanceDataStream(
        GlanceImageService service,
        RequestContext context,
        string imageId,
        HttpResponseMessage response,
        Stream content,
        GlanceDataVersion version,
        TimeSpan stallTimeout,
        int retries,
        TimeProvider time)
    {
        _service = service;
        _context = context;
        _imageId = imageId;
        _response = response;
        _content = content;
        _version = version;
        _stallTimeout = stallTimeout;
        _retries = retries;
        _time = time;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _version.Length >= 0 ? _version.Length : throw new NotSupportedException();

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        // Drivers read asynchronously; a synchronous reader gets the same resuming read, through a copy.
        byte[] scratch = new byte[buffer.Length];
        int read = ReadAsync(scratch, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        scratch.AsSpan(0, read).CopyTo(buffer);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Exception interruption;
            try
            {
                _content ??= await ResumeAsync(cancellationToken).ConfigureAwait(false);
                int read = await ReadWatchedAsync(_content, buffer, cancellationToken).ConfigureAwait(false);
                if (read > 0)
                {
                    _position += read;
                    _interruptionsInARow = 0;
                    return read;
                }

                // An unknown length ends where the server ends it; a known one that ends early was cut off.
                if (_version.Length < 0 || _position >= _version.Length)
                {
                    return 0;
                }

                interruption = new IOException($"the connection ended after {_position} of {_version.Length} bytes");
            }
            catch (Exception ex) when (IsInterruption(ex, cancellationToken))
            {
                if (_version.Length >= 0 && _position >= _version.Length)
                {
                    // Every byte arrived; only the end of the response was lost. There is nothing left to ask for.
                    Drop();
                    return 0;
                }

                interruption = ex;
            }

            Drop();
            _interruptionsInARow++;
            if (_interruptionsInARow > _retries || _version.Length < 0)
            {
                Log.DownloadGivingUp(_service.Logger, interruption, _imageId, _position, _version.Length, _interruptionsInARow);
                throw new IOException(
                    $"The download of image '{_imageId}' from Glance was interrupted at byte {_position} of {_version.Length} {_interruptionsInARow} times in a row without new data: {interruption.Message}",
                    interruption);
            }

            Log.DownloadInterrupted(_service.Logger, _imageId, _position, _version.Length, interruption.Message, _interruptionsInARow, _retries);
        }
    }

    /// <summary>Reads, giving the read up when it brings nothing for the stall timeout (an <see cref="TimeoutException"/>).</summary>
    private async ValueTask<int> ReadWatchedAsync(Stream content, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_stallTimeout == Timeout.InfiniteTimeSpan)
        {
            return await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        using var stall = new CancellationTokenSource(_stallTimeout, _time);
        using CancellationTokenRegistration link = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), stall);
        try
        {
            return await content.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stall.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no data for {_stallTimeout}");
        }
    }

    /// <summary>
    /// Asks for the rest. A 206 from the first byte not yet read, of the same version, continues the stream; anything
    /// else that sends data means the download starts over.
    /// </summary>
    private async ValueTask<Stream> ResumeAsync(CancellationToken cancellationToken)
    {
        HttpResponseMessage response = await _service.RequestRestAsync(_context, _imageId, _position, _version, cancellationToken).ConfigureAwait(false);
        try
        {
            switch (response.StatusCode)
            {
                case HttpStatusCode.PartialContent:
                    GlanceDataVersion now = GlanceDataVersion.OfPartialResponse(response);
                    if (_version.DiffersFrom(now))
                    {
                        throw StartOver(imageChanged: true, (int)response.StatusCode);
                    }

                    if (response.Content.Headers.ContentRange?.From != _position)
                    {
                        throw StartOver(imageChanged: false, (int)response.StatusCode);
                    }

                    break;
                case HttpStatusCode.OK:
                    // A 200 to a Range with If-Range is the whole data: of another version when any identifier changed,
                    // else of the same one from a server that does not resume.
                    throw StartOver(_version.DiffersFrom(GlanceDataVersion.OfFullResponse(response)), (int)response.StatusCode);
                case HttpStatusCode.RequestedRangeNotSatisfiable:
                    // The data is shorter than the bytes already read: another version.
                    throw StartOver(imageChanged: true, (int)response.StatusCode);
                default:
                    response.EnsureSuccessStatusCode();
                    throw new HttpRequestException($"Glance answered HTTP {(int)response.StatusCode} to a ranged read of image '{_imageId}'.");
            }

            Stream content = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            _response = response;
            _service.Metrics.Resumed();
            Log.DownloadResumed(_service.Logger, _imageId, _position);
            return content;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private ImageDownloadRestartException StartOver(bool imageChanged, int status)
    {
        _service.Metrics.StartedOver(imageChanged, _position);
        if (imageChanged)
        {
            Log.ImageChanged(_service.Logger, _imageId, _position);
            return new ImageDownloadRestartException(_imageId, imageChanged: true, $"Image '{_imageId}' changed in Glance while it was being downloaded (at byte {_position}).");
        }

        Log.DownloadNotResumable(_service.Logger, _imageId, _position, status);
        return new ImageDownloadRestartException(_imageId, imageChanged: false, $"Glance cannot resume the download of image '{_imageId}' at byte {_position}; it sends the data from its first byte.");
    }

    /// <summary>
    /// A dropped or stalled connection, or a failed request for the rest; not the caller's cancellation, nor an answer
    /// about the image (not found, changed, not resumable).
    /// </summary>
    private static bool IsInterruption(Exception exception, CancellationToken cancellationToken) =>
        !cancellationToken.IsCancellationRequested
        && exception is (IOException and not ImageDownloadRestartException) or HttpRequestException or TimeoutException or TimeoutRejectedException;

    private void Drop()
    {
        _content?.Dispose();
        _content = null;
        _response?.Dispose();
        _response = null;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Drop();
        }

        base.Dispose(disposing);
    }
}
