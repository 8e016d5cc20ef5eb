using ImageVolumeCache.Tests.Support;

namespace ImageVolumeCache.Tests.Pipeline;

/// <summary>
/// For each path, every call the pipeline makes to the driver and the image service is made to fail, and separately
/// cancelled, one at a time; after each run nothing is left behind but what the request returned and what the cache owns.
/// </summary>
public sealed class FaultInjectionTests
{
    public enum Injection
    {
        /// <summary>The call throws an exception of its own.</summary>
        Exception,

        /// <summary>The request's token is cancelled and the call throws <see cref="OperationCanceledException"/>.</summary>
        CancelTheCall,

        /// <summary>The request's token is cancelled and the call still runs to its end (the cancellation is seen later).</summary>
        CancelAfterTheCall,
    }

    private static readonly IReadOnlyList<PathCase> AllPaths = [.. DefinePaths()];

    public static IEnumerable<string> Paths() => AllPaths.Select(p => p.Name);

    [TestCaseSource(nameof(Paths))]
    public async Task Every_fault_and_cancellation_on_the_path_leaves_only_what_was_returned_and_what_the_cache_owns(string name)
    {
        PathCase path = AllPaths.Single(p => p.Name == name);
        int calls = await CountCallsAsync(path);
        Assert.That(calls, Is.GreaterThanOrEqualTo(2), "the clean run reaches the driver");
        int covered = 0;
        foreach (Injection injection in Enum.GetValues<Injection>())
        {
            for (int call = 0; call < calls; call++)
            {
                await RunWithInjectionAsync(path, injection, call);
                covered++;
            }
        }

        await TestContext.Out.WriteLineAsync($"covered {covered} fault points ({calls} calls x {Enum.GetValues<Injection>().Length} injections) on path {path}");
    }

    private static IEnumerable<PathCase> DefinePaths()
    {
        yield return Path("Direct_clone", CreateFromImagePath.DirectClone, arrange: h =>
        {
            h.Driver.CanCloneImage = _ => true;
            return Task.CompletedTask;
        });
        yield return Path("Image_volume_clone", CreateFromImagePath.ImageVolumeClone, configure: o => o.AllowedDirectUrlSchemes.Add("cinder"), arrange: h =>
        {
            h.Images.Update("img", i => i with { Locations = ["cinder://image-volume-1"], Owner = CacheHarness.User.ProjectId });
            h.Driver.Seed(new VolumeSpec("image-volume-1", CacheHarness.Backend, 1) { ProjectId = CacheHarness.User.ProjectId }, [1, 2, 3]);
            return Task.CompletedTask;
        });
        yield return Path("Cache_hit", CreateFromImagePath.CacheHit, arrange: async h => await h.CreateAsync("img", volumeId: "earlier"));
        yield return Path("Cache_miss_with_entry_creation", CreateFromImagePath.CacheMissCreated);
        yield return Path("Stale_entry_replaced", CreateFromImagePath.CacheMissCreated, arrange: async h =>
        {
            await h.CreateAsync("img", volumeId: "earlier");
            h.Images.Update("img", i => i with { UpdatedAt = i.UpdatedAt.AddDays(1) });
        });
        yield return Path("Cache_miss_without_room", CreateFromImagePath.CacheMissNotCached, configure: o => o.Defaults.MaxSizeGb = 1, arrange: h =>
        {
            h.AddImage("img", virtualSizeBytes: 2 * CacheHarness.GiB);
            return Task.CompletedTask;
        });
        yield return Path("Download", CreateFromImagePath.Download, encrypted: true);
    }

    private static async Task<int> CountCallsAsync(PathCase path)
    {
        using CacheHarness harness = await ArrangeAsync(path);
        int calls = 0;
        harness.Driver.Fault = _ =>
        {
            Interlocked.Increment(ref calls);
            return null;
        };
        harness.Images.Fault = (_, _) =>
        {
            Interlocked.Increment(ref calls);
            return null;
        };

        CreateVolumeFromImageResult result = await harness.Pipeline.CreateAsync(path.Request());

        Assert.That(result.Path, Is.EqualTo(path.Expected), "the clean run takes the path under test");
        return calls;
    }

    private static async Task RunWithInjectionAsync(PathCase path, Injection injection, int target)
    {
        using CacheHarness harness = await ArrangeAsync(path);
        string[] preExisting = [.. harness.Driver.Volumes.Select(v => v.Spec.Id)];
        using var cts = new CancellationTokenSource();
        int index = -1;
        Exception? Inject()
        {
            if (Interlocked.Increment(ref index) != target)
            {
                return null;
            }

            if (injection == Injection.Exception)
            {
                return new InjectedFaultException($"fault at call {target}");
            }

            cts.Cancel();
            return injection == Injection.CancelTheCall ? new OperationCanceledException(cts.Token) : null;
        }

        harness.Driver.Fault = _ => Inject();
        harness.Images.Fault = (_, _) => Inject();
        CreateVolumeFromImageRequest request = path.Request();
        string where = $"{path} with {injection} at call {target}";

        Exception? failure = null;
        string[] returned = [];
        try
        {
            CreateVolumeFromImageResult result = await harness.Pipeline.CreateAsync(request, cts.Token).AsTask().WaitAsync(TimeSpan.FromSeconds(60));
            returned = [result.Volume.Id];
        }
        catch (Exception ex) when (ex is not TimeoutException)
        {
            failure = ex;
        }

        var leaks = new List<string>();
        IReadOnlyList<string> violations = await BackendInvariants.ViolationsAsync(harness, preExisting, returned, leaks.Add);
        Assert.That(violations, Is.Empty, where);
        if (failure is not null)
        {
            Type expected = injection == Injection.Exception ? typeof(InjectedFaultException) : typeof(OperationCanceledException);
            Assert.That(failure, Is.InstanceOf(expected), $"{where}: the original exception is the one thrown");
            Assert.That(harness.Driver.Exists(request.Volume.Id), Is.False, $"{where}: the failed request's volume is gone");
        }

        Assert.That(leaks, Is.Empty, $"{where}: only a failing deletion may leave a volume, and none was injected after the fault");
    }

    private static async Task<CacheHarness> ArrangeAsync(PathCase path)
    {
        var harness = new CacheHarness(path.Configure);
        harness.AddImage("img");
        await path.Arrange(harness);
        return harness;
    }

    private static PathCase Path(
        string name,
        CreateFromImagePath expected,
        Action<ImageVolumeCacheOptions>? configure = null,
        Func<CacheHarness, Task>? arrange = null,
        bool encrypted = false) =>
        new(name, expected, configure, arrange ?? (_ => Task.CompletedTask), encrypted);

    /// <summary>One path through the pipeline: how to arrange it and what it should report when nothing fails.</summary>
    private sealed record PathCase(string Name, CreateFromImagePath Expected, Action<ImageVolumeCacheOptions>? Configure, Func<CacheHarness, Task> Arrange, bool Encrypted)
    {
        /// <summary>A request for 2 GB, so that paths through the cache also extend.</summary>
        public CreateVolumeFromImageRequest Request() => CacheHarness.Request("img", sizeGb: 2, volumeId: "target", encrypted: Encrypted);

        public override string ToString() => Name;
    }

    private sealed class InjectedFaultException(string message) : Exception(message);
}
