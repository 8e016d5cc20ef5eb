using NUnit.Framework;

namespace ImageVolumeCache.Testing;

// A clone whose source is deleted while it runs: the pipeline tells "the cache volume is gone" from every other failure
// by VolumeNotFoundException, so the driver must never let its own error (FileNotFoundException, ...) through.
public abstract partial class VolumeDriverContractTests<TDriver>
{
    /// <summary>
    /// Two clones race a delete of their source, 200 times: each clone either holds the source's bytes or throws a
    /// <see cref="VolumeNotFoundException"/> naming the source, and a failed clone leaves no volume behind.
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Clones_racing_a_delete_of_their_source_copy_it_or_throw_VolumeNotFoundException_and_leave_nothing()
    {
        const int Rounds = 200;
        byte[] data = SmallData(seed: 1);
        for (int round = 0; round < Rounds; round++)
        {
            string source = $"source-{round}";
            string[] clones = [$"clone-{round}-a", $"clone-{round}-b"];
            await MakeFilledAsync(source, data).ConfigureAwait(false);

            Task<Exception?>[] cloning = [.. clones.Select(clone =>
                Task.Run(() => OutcomeAsync(async () => await Driver.CloneVolumeAsync(Spec(clone), source, None).ConfigureAwait(false))))];
            // The delete starts a little later each round (a busy wait of up to a few milliseconds, never a sleep), so that
            // over the rounds it lands at every point of the clones, before, during and after.
            int spins = round % 25 * 4000;
            Exception? deleted = await Task.Run(() =>
            {
                Thread.SpinWait(spins);
                return OutcomeAsync(async () => await Driver.DeleteVolumeAsync(source, None).ConfigureAwait(false));
            }).ConfigureAwait(false);
            Exception?[] outcomes = await Task.WhenAll(cloning).ConfigureAwait(false);

            Assert.That(deleted, Is.Null, $"round {round}: the delete succeeds");
            for (int i = 0; i < clones.Length; i++)
            {
                if (outcomes[i] is null)
                {
                    Assert.That(await ReadVolumeAsync(Driver, clones[i], data.Length).ConfigureAwait(false), Is.EqualTo(data), $"round {round}: {clones[i]}");
                    await Driver.DeleteVolumeAsync(clones[i], None).ConfigureAwait(false);
                    continue;
                }

                Assert.That(outcomes[i], Is.TypeOf<VolumeNotFoundException>(), $"round {round}: {clones[i]} failed with {outcomes[i]}");
                Assert.That(((VolumeNotFoundException)outcomes[i]!).VolumeId, Is.EqualTo(source), $"round {round}");
                Assert.That(await Driver.GetVolumeAsync(clones[i], None).ConfigureAwait(false), Is.Null, $"round {round}: a failed clone leaves nothing");
            }
        }

        Assert.That(await Driver.ListVolumesAsync(None).ConfigureAwait(false), Is.Empty);
    }
}
