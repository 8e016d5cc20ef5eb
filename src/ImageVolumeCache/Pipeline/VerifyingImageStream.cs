using System.Security.Cryptography;

namespace ImageVolumeCache.Pipeline;

/// <summary>
/// Wraps the image service's stream: counts and hashes the bytes as the driver reads them, and at the end of the data
/// fails the read with <see cref="ImageDataCorruptException"/> when the length or checksum does not match the image's
/// metadata. Remembers any exception that came from the image side, so the pipeline can tell it from a backend failure.
/// Reports the bytes read as its step's progress, when the request asked for progress.
/// </summary>
internal sealed class VerifyingImageStream : Stream
{
    private readonly Stream _inner;
    private readonly ImageInfo _image;
    private readonly IncrementalHash? _hash;
    private readonly DownloadStallWatch? _watch;
    private readonly ProgressReporter? _progress;
    private readonly PipelineStep _step;
    private bool _verified;

    public VerifyingImageStream(Stream inner, ImageInfo image, DownloadStallWatch? watch = null, ProgressReporter? progress = null, PipelineStep step = default)
    {
        _inner = inner;
        _image = image;
        _watch = watch;
        _progress = progress;
        _step = step;
        _hash = image.Checksum is null ? null : IncrementalHash.CreateHash(AlgorithmOf(image));
    }

    public long BytesRead { get; private set; }

    /// <summary>The first exception that came from the image data (a read failure or a mismatch), if any.</summary>
    public Exception? Failure { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _image.SizeBytes;

    public override long Position
    {
        get => BytesRead;
        set => throw new NotSupportedException();
    }

    public static HashAlgorithmName AlgorithmOf(ImageInfo image) => image.ChecksumAlgorithm.ToUpperInvariant() switch
    {
        "SHA256" => HashAlgorithmName.SHA256,
        "SHA512" => HashAlgorithmName.SHA512,
        "MD5" => HashAlgorithmName.MD5,
        _ => throw new ImageUnacceptableException(image.Id, $"Image '{image.Id}' has a checksum of unsupported algorithm '{image.ChecksumAlgorithm}' (supported: sha256, sha512, md5)."),
    };

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read;
        try
        {
            read = _inner.Read(buffer);
        }
        catch (Exception ex)
        {
            Failure ??= ex;
            throw;
        }

        return Account(buffer[..read]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read;
        try
        {
            // A driver that reads without a token still gets a read the stall watch can abort.
            CancellationToken token = cancellationToken.CanBeCanceled || _watch is null ? cancellationToken : _watch.Token;
            read = await _inner.ReadAsync(buffer, token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Failure ??= ex;
            throw;
        }

        return Account(buffer.Span[..read]);
    }

    /// <summary>Reads whatever the driver left unread, so that the length and checksum are always checked.</summary>
    public async ValueTask DrainAndVerifyAsync(CancellationToken cancellationToken)
    {
        if (_verified)
        {
            return;
        }

        byte[] scratch = new byte[81920];
        while (!_verified && await ReadAsync(scratch, cancellationToken).ConfigureAwait(false) > 0)
        {
        }
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
            _hash?.Dispose();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        _hash?.Dispose();
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    private int Account(ReadOnlySpan<byte> data)
    {
        if (data.Length > 0)
        {
            BytesRead += data.Length;
            if (BytesRead > _image.SizeBytes)
            {
                // Failed at once, not at the end: a stream far longer than its claimed size would fill the disk it goes to.
                var tooLong = new ImageDataCorruptException(
                    _image.Id, $"Image '{_image.Id}' data is longer than its size of {_image.SizeBytes} bytes: {BytesRead} bytes read so far.");
                Failure ??= tooLong;
                throw tooLong;
            }

            _hash?.AppendData(data);
            _watch?.Progress();
            _progress?.Moved(_step, BytesRead);
            return data.Length;
        }

        if (!_verified)
        {
            _verified = true;
            _watch?.Finished();
            Verify();
        }

        return 0;
    }

    private void Verify()
    {
        string? problem = null;
        if (BytesRead != _image.SizeBytes)
        {
            problem = $"Image '{_image.Id}' data was {BytesRead} bytes long but its size is {_image.SizeBytes} bytes.";
        }
        else if (_hash is not null)
        {
            string actual = Convert.ToHexStringLower(_hash.GetHashAndReset());
            if (!string.Equals(actual, _image.Checksum, StringComparison.OrdinalIgnoreCase))
            {
                problem = $"Image '{_image.Id}' data has {_image.ChecksumAlgorithm} checksum {actual} but its metadata says {_image.Checksum}.";
            }
        }

        if (problem is not null)
        {
            var ex = new ImageDataCorruptException(_image.Id, problem);
            Failure ??= ex;
            throw ex;
        }
    }
}
