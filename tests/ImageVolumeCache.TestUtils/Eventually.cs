namespace ImageVolumeCache.TestUtils;

/// <summary>Waits for a condition other tasks make true (a request reaching a wait, a call being held), without sleeping a fixed time.</summary>
public static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test if it never does (a hang guard, not a timing assertion).</summary>
    public static async Task HoldsAsync(Func<bool> condition, string what)
    {
        var limit = TimeSpan.FromSeconds(60);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > limit)
            {
                Assert.Fail($"Never happened: {what}.");
            }

            await Task.Delay(2);
        }
    }

    /// <summary>Awaits a task, failing the test instead of hanging when it never completes.</summary>
    public static Task<T> Within<T>(Task<T> task) => task.WaitAsync(TimeSpan.FromSeconds(60));
}
