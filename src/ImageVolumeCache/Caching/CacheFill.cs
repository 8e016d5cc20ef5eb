namespace ImageVolumeCache.Caching;

/// <summary>
/// One fill of a cache entry in progress: the leader that makes the entry completes it once; waiters await its outcome
/// with their own cancellation token, so a cancelled waiter ends alone.
/// </summary>
internal sealed class CacheFill
{
    private readonly TaskCompletionSource<CacheFillOutcome> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsCompleted => _outcome.Task.IsCompleted;

    /// <summary>With <see cref="CacheFillOutcome.Refused"/>, the refusal of the image.</summary>
    public ImageUnacceptableException? Refusal { get; private set; }

    /// <summary>Sets the outcome (and, for a refusal, why); later calls do nothing.</summary>
    public void Complete(CacheFillOutcome outcome, ImageUnacceptableException? refusal = null)
    {
        if (!_outcome.Task.IsCompleted)
        {
            Refusal = refusal;
        }

        _outcome.TrySetResult(outcome);
    }

    public Task<CacheFillOutcome> WaitAsync(CancellationToken cancellationToken) => _outcome.Task.WaitAsync(cancellationToken);
}
