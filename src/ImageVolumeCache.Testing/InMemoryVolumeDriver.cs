using System.Collections.Concurrent;

namespace ImageVolumeCache.Testing;

/// <summary>
/// An <see cref="IVolumeDriver"/> whose volumes live in memory. It records every call, signals a test waiting for one,
/// and lets a test inject a fault or a delay before any call, limit clones per source, allow direct image clones, and
/// say which pools it clones between (<see cref="IPoolCloning"/>). Thread-safe.
/// </summary>
public sealed class InMemoryVolumeDriver : IVolumeDriver, IPoolCloning
{
    private readonly ConcurrentDictionary<string, FakeVolume> _volumes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _clonesBySource = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<DriverCall> _calls = new();
    private readonly Lock _callSignalsLock = new();
    private readonly List<(Func<DriverCall, bool> Match, TaskCompletionSource<DriverCall> Signal)> _callSignals = [];
    private readonly List<DriverCall> _enteredCalls = [];

    /// <summary>
    /// Called before every operation; return an exception to make the call fail with it (before it changes anything),
    /// or <see langword="null"/> to let it run. Default <see langword="null"/> (no faults).
    /// </summary>
    public Func<DriverCall, Exception?>? Fault { get; set; }

    /// <summary>Awaited before every operation (after <see cref="Fault"/>); use it to hold a call until a test releases it. Default <see langword="null"/>.</summary>
    public Func<DriverCall, CancellationToken, ValueTask>? Delay { get; set; }

    /// <summary>Decides which images <see cref="TryCloneImageAsync"/> can clone directly. Default <see langword="null"/>: none.</summary>
    public Func<ImageInfo, bool>? CanCloneImage { get; set; }

    /// <summary>
    /// Decides what <see cref="CanCloneBetweenPools"/> answers for a source pool and a target pool. Default: every pair
    /// (the fake keeps all its volumes in one place).
    /// </summary>
    public Func<string, string, bool> ClonesBetweenPools { get; set; } = static (_, _) => true;

    /// <summary>How many clones one source volume allows before <see cref="CloneLimitReachedException"/>; 0 = unlimited (default).</summary>
    public int CloneLimit { get; set; }

    /// <summary>Every call made so far, in order.</summary>
    public IReadOnlyList<DriverCall> Calls => [.. _calls];

    /// <summary>The volumes that exist now.</summary>
    public IReadOnlyCollection<FakeVolume> Volumes => [.. _volumes.Values];

    /// <summary>Whether a volume exists.</summary>
    /// <param name="volumeId">The volume id.</param>
    /// <returns><see langword="true"/> when it exists.</returns>
    public bool Exists(string volumeId) => _volumes.ContainsKey(volumeId);

    /// <summary>Returns a volume.</summary>
    /// <param name="volumeId">The volume id.</param>
    /// <returns>The volume.</returns>
    /// <exception cref="VolumeNotFoundException">It does not exist.</exception>
    public FakeVolume GetVolume(string volumeId) =>
        _volumes.TryGetValue(volumeId, out FakeVolume? volume) ? volume : throw new VolumeNotFoundException(volumeId);

    /// <summary>Adds a volume that exists before the test runs (for example an image-volume).</summary>
    /// <param name="spec">The volume.</param>
    /// <param name="data">Its data.</param>
    public void Seed(VolumeSpec spec, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(data);
        if (!_volumes.TryAdd(spec.Id, new FakeVolume(spec, data)))
        {
            throw new VolumeAlreadyExistsException(spec.Id, spec.Backend);
        }
    }

    /// <summary>Removes a volume behind the cache's back (as an operator or a failing disk might), recording no call.</summary>
    /// <param name="volumeId">The volume id.</param>
    /// <returns><see langword="true"/> when it existed.</returns>
    public bool Lose(string volumeId) => _volumes.TryRemove(volumeId, out _);

    /// <summary>How many calls of an operation were made.</summary>
    /// <param name="operation">The operation.</param>
    /// <returns>The count.</returns>
    public int CountOf(DriverOperation operation) => _calls.Count(c => c.Operation == operation);

    /// <summary>
    /// Waits for a call: completes with the first call that matches, whether it was made before or after this method was
    /// called. The task completes once the call has entered the driver: it is in <see cref="Calls"/>, <see cref="Fault"/>
    /// was asked about it and <see cref="Delay"/> was called for it. So a test acts while <see cref="Delay"/> holds that
    /// call, without polling <see cref="Calls"/>.
    /// </summary>
    /// <param name="match">Which call to wait for.</param>
    /// <param name="cancellationToken">Stops the wait (the calls go on); the task is then cancelled.</param>
    /// <returns>The first matching call. The wait has no time limit of its own.</returns>
    public Task<DriverCall> WaitForCallAsync(Func<DriverCall, bool> match, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(match);
        lock (_callSignalsLock)
        {
            foreach (DriverCall call in _enteredCalls)
            {
                if (match(call))
                {
                    return Task.FromResult(call);
                }
            }

            var signal = new TaskCompletionSource<DriverCall>(TaskCreationOptions.RunContinuationsAsynchronously);
            _callSignals.Add((match, signal));
            return signal.Task.WaitAsync(cancellationToken);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<bool> TryCloneImageAsync(VolumeSpec target, ImageInfo image, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(image);
        await EnterAsync(new DriverCall(DriverOperation.TryCloneImage, target.Id, SizeGb: target.SizeGb), cancellationToken).ConfigureAwait(false);
        if (CanCloneImage?.Invoke(image) != true)
        {
            return false;
        }

        Add(new FakeVolume(target, []) { ClonedFromImageId = image.Id });
        return true;
    }

    /// <inheritdoc/>
    public bool CanCloneBetweenPools(string sourcePool, string targetPool) => ClonesBetweenPools(sourcePool, targetPool);

    /// <inheritdoc/>
    public async ValueTask CreateVolumeAsync(VolumeSpec volume, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(volume);
        await EnterAsync(new DriverCall(DriverOperation.Create, volume.Id, SizeGb: volume.SizeGb), cancellationToken).ConfigureAwait(false);
        Add(new FakeVolume(volume, []));
    }

    /// <inheritdoc/>
    public async ValueTask CloneVolumeAsync(VolumeSpec target, string sourceVolumeId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        await EnterAsync(new DriverCall(DriverOperation.Clone, target.Id, sourceVolumeId, target.SizeGb), cancellationToken).ConfigureAwait(false);
        FakeVolume source = GetVolume(sourceVolumeId);
        if (target.SizeGb < source.Spec.SizeGb)
        {
            throw new ArgumentException($"Clone '{target.Id}' ({target.SizeGb} GB) would be smaller than its source '{sourceVolumeId}' ({source.Spec.SizeGb} GB).", nameof(target));
        }

        int clones = _clonesBySource.AddOrUpdate(sourceVolumeId, 1, (_, n) => n + 1);
        if (CloneLimit > 0 && clones > CloneLimit)
        {
            _clonesBySource.AddOrUpdate(sourceVolumeId, 0, (_, n) => n - 1);
            throw new CloneLimitReachedException(sourceVolumeId);
        }

        Add(new FakeVolume(target, [.. source.Data]) { ClonedFromVolumeId = sourceVolumeId });
    }

    /// <inheritdoc/>
    public async ValueTask ExtendVolumeAsync(string volumeId, int newSizeGb, CancellationToken cancellationToken)
    {
        await EnterAsync(new DriverCall(DriverOperation.Extend, volumeId, SizeGb: newSizeGb), cancellationToken).ConfigureAwait(false);
        FakeVolume volume = GetVolume(volumeId);
        if (newSizeGb <= volume.Spec.SizeGb)
        {
            throw new ArgumentOutOfRangeException(nameof(newSizeGb), newSizeGb, $"Volume '{volumeId}' is already {volume.Spec.SizeGb} GB.");
        }

        _volumes[volumeId] = volume with { Spec = volume.Spec with { SizeGb = newSizeGb } };
    }

    /// <inheritdoc/>
    public async ValueTask CopyImageToVolumeAsync(string volumeId, ImageInfo image, Stream data, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        await EnterAsync(new DriverCall(DriverOperation.CopyImage, volumeId), cancellationToken).ConfigureAwait(false);
        FakeVolume volume = GetVolume(volumeId);
        using var buffer = new MemoryStream();
        await data.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (buffer.Length > (long)volume.Spec.SizeGb << 30)
        {
            throw new InvalidOperationException($"Image '{image.Id}' ({buffer.Length} bytes) does not fit in volume '{volumeId}' ({volume.Spec.SizeGb} GB).");
        }

        _volumes[volumeId] = volume with { Data = buffer.ToArray(), ImageDataComplete = true };
    }

    /// <inheritdoc/>
    public async ValueTask DeleteVolumeAsync(string volumeId, CancellationToken cancellationToken)
    {
        await EnterAsync(new DriverCall(DriverOperation.Delete, volumeId), cancellationToken).ConfigureAwait(false);
        _volumes.TryRemove(volumeId, out _);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<BackendVolume>> ListVolumesAsync(CancellationToken cancellationToken)
    {
        await EnterAsync(new DriverCall(DriverOperation.List, string.Empty), cancellationToken).ConfigureAwait(false);
        return [.. _volumes.Values.Select(v => new BackendVolume(v.Spec) { ImageDataComplete = v.ImageDataComplete })];
    }

    /// <inheritdoc/>
    public async ValueTask<BackendVolume?> GetVolumeAsync(string volumeId, CancellationToken cancellationToken)
    {
        await EnterAsync(new DriverCall(DriverOperation.Get, volumeId), cancellationToken).ConfigureAwait(false);
        return _volumes.TryGetValue(volumeId, out FakeVolume? v) ? new BackendVolume(v.Spec) { ImageDataComplete = v.ImageDataComplete } : null;
    }

    private async ValueTask EnterAsync(DriverCall call, CancellationToken cancellationToken)
    {
        _calls.Enqueue(call);
        ValueTask delay = default;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (Fault?.Invoke(call) is { } fault)
            {
                throw fault;
            }

            if (Delay is { } hold)
            {
                delay = hold(call, cancellationToken);
            }
        }
        finally
        {
            Signal(call);
        }

        await delay.ConfigureAwait(false);
    }

    // Kept and matched under one lock, so a wait that starts while a call enters sees the call either way.
    private void Signal(DriverCall call)
    {
        lock (_callSignalsLock)
        {
            _enteredCalls.Add(call);
            for (int i = _callSignals.Count - 1; i >= 0; i--)
            {
                if (_callSignals[i].Match(call))
                {
                    _callSignals[i].Signal.TrySetResult(call);
                    _callSignals.RemoveAt(i);
                }
            }
        }
    }

    private void Add(FakeVolume volume)
    {
        if (!_volumes.TryAdd(volume.Spec.Id, volume))
        {
            throw new VolumeAlreadyExistsException(volume.Spec.Id, volume.Spec.Backend);
        }
    }
}
