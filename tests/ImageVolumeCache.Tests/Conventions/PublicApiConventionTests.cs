using System.Reflection;
using ImageVolumeCache.Testing;

namespace ImageVolumeCache.Tests.Conventions;

/// <summary>The public-surface rules on the core and on the test doubles of ImageVolumeCache.Testing (which has no test project of its own).</summary>
public sealed class PublicApiConventionTests : PublicApiConventions
{
    protected override IEnumerable<Assembly> PackageAssemblies => [typeof(ImageCacheEntry).Assembly, typeof(InMemoryVolumeDriver).Assembly];

    [Test]
    public void Async_method_check_recognises_every_awaitable_return_type()
    {
        Type[] awaitable = [typeof(Task), typeof(Task<int>), typeof(ValueTask), typeof(ValueTask<string>)];

        Assert.That(awaitable, Is.All.Matches<Type>(IsAwaitable));
        Assert.That(IsAwaitable(typeof(int)), Is.False);
    }
}
