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

    /// <summary>Polls a condition until it holds, failing the test instead of hanging when it never does.</summary>
    public static async Task TrueAsync(Func<bool> condition, string what = "the condition")
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (waited.Elapsed > Limit)
            {
                Assert.Fail($"Never happened: {what}.");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Polls an asynchronous condition until it holds, failing the test instead of hanging when it never does.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!await condition())
        {
            if (waited.Elapsed > Limit)
            {
                Assert.Fail($"Never happened: {what}.");
            }

            await Task.Delay(10);
        }
    }

    private static TimeSpan Limit => TimeSpan.FromSeconds(60);
}
