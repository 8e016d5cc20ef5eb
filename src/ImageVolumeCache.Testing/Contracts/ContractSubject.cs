namespace ImageVolumeCache.Testing;

/// <summary>What the contract suites share about the object under test.</summary>
internal static class ContractSubject
{
    /// <summary>Disposes the object under test after a test, asynchronously when it can, else synchronously, else not at all.</summary>
    public static async ValueTask DisposeAsync(object? subject)
    {
        switch (subject)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }
}
