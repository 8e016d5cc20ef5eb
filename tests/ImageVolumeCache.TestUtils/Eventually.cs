namespace ImageVolumeCache.TestUtils;

/// <summary>Bounds the waits of a test on other tasks (a request ending, a fake signalling a call), so that a hang fails the test instead of the run.</summary>
public static class Eventually
{
    /// <summary>Awaits a task, failing the test instead of hanging when it never completes.</summary>
    public static Task<T> Within<T>(Task<T> task) => task.WaitAsync(Limit);

    /// <summary>Awaits a signal (from a fake, say), failing the test with what never happened instead of hanging.</summary>
    public static async Task HappensAsync(Task signal, string what)
    {
        try
        {
            await signal.WaitAsync(Limit);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Never happened: {what}.");
        }
    }

    private static TimeSpan Limit => TimeSpan.FromSeconds(60);
}
