using NUnit.Framework;

namespace ImageVolumeCache.Testing;

/// <summary>The contract of the optional <see cref="IPoolCloning"/>: a driver that says it clones between two pools does.</summary>
public abstract partial class VolumeDriverContractTests<TDriver>
{
    /// <summary>A driver that says it can clone from one pool into another makes the clone, byte for byte, in the other pool.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Clone_between_pools_the_driver_says_it_can_clone_between_copies_the_data_into_the_target_pool()
    {
        if (Driver is not IPoolCloning pools || !pools.CanCloneBetweenPools("pool-a", "pool-b"))
        {
            Assert.Ignore("The driver under test does not clone from pool-a into pool-b (it does not implement IPoolCloning, or says no).");
        }

        byte[] data = Data(seed: 1);
        await Driver.CreateVolumeAsync(Spec("vol-a") with { Host = $"{Host}#pool-a" }, None).ConfigureAwait(false);
        await CopyAsync("vol-a", data).ConfigureAwait(false);

        await Driver.CloneVolumeAsync(Spec("vol-b") with { Host = $"{Host}#pool-b" }, "vol-a", None).ConfigureAwait(false);

        Assert.That(await ReadVolumeAsync(Driver, "vol-b", data.Length).ConfigureAwait(false), Is.EqualTo(data));
        Assert.That((await ListedAsync("vol-b").ConfigureAwait(false)).Spec.Host, Is.EqualTo($"{Host}#pool-b"));
    }
}
