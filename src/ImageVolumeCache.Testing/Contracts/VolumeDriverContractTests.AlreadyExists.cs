using NUnit.Framework;

namespace ImageVolumeCache.Testing;

// A volume id that is taken stays taken: every way of making a volume refuses it and leaves the existing volume as it
// was, and of two makers racing for one id exactly one wins and keeps its volume.
public abstract partial class VolumeDriverContractTests<TDriver>
{
    /// <summary>Making a volume whose id is taken leaves the existing volume's spec, owner and metadata as they were.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Create_of_an_existing_volume_leaves_its_spec_untouched()
    {
        BackendVolume before = await MakeExistingAsync("vol-a").ConfigureAwait(false);

        Assert.ThrowsAsync<VolumeAlreadyExistsException>(async () =>
            await Driver.CreateVolumeAsync(Spec("vol-a", sizeGb: 2) with { ProjectId = "second-project" }, None).ConfigureAwait(false));

        await AssertUntouchedAsync(before).ConfigureAwait(false);
    }

    /// <summary>Cloning onto a taken id fails and leaves the existing volume byte for byte and its spec as they were.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Clone_onto_an_existing_volume_throws_VolumeAlreadyExistsException_and_leaves_it_untouched()
    {
        BackendVolume before = await MakeExistingAsync("vol-a").ConfigureAwait(false);
        await MakeFilledAsync("source", Data(seed: 2)).ConfigureAwait(false);

        var ex = Assert.ThrowsAsync<VolumeAlreadyExistsException>(async () =>
            await Driver.CloneVolumeAsync(Spec("vol-a") with { ProjectId = "second-project" }, "source", None).ConfigureAwait(false));

        Assert.That(ex!.VolumeId, Is.EqualTo("vol-a"));
        await AssertUntouchedAsync(before).ConfigureAwait(false);
    }

    /// <summary>
    /// A direct image clone onto a taken id is declined (<see langword="false"/>) by a driver that cannot clone the image,
    /// and a <see cref="VolumeAlreadyExistsException"/> from one that can (see <see cref="DirectlyClonableImageAsync"/>);
    /// either way the existing volume is left as it was.
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Direct_image_clone_onto_an_existing_volume_leaves_it_untouched()
    {
        BackendVolume before = await MakeExistingAsync("vol-a").ConfigureAwait(false);
        ImageInfo? clonable = await DirectlyClonableImageAsync(Driver, Data(seed: 2)).ConfigureAwait(false);
        ImageInfo image = clonable ?? Image(Data(seed: 2).Length);

        Exception? outcome = await OutcomeAsync(async () =>
        {
            if (await Driver.TryCloneImageAsync(Spec("vol-a") with { ProjectId = "second-project" }, image, None).ConfigureAwait(false))
            {
                throw new AssertionException("TryCloneImageAsync reported a volume made over an existing one.");
            }
        }).ConfigureAwait(false);

        if (clonable is not null)
        {
            Assert.That(outcome, Is.TypeOf<VolumeAlreadyExistsException>());
        }
        else
        {
            Assert.That(outcome, Is.Null.Or.TypeOf<VolumeAlreadyExistsException>());
        }

        await AssertUntouchedAsync(before).ConfigureAwait(false);
    }

    /// <summary>
    /// Two creates of one id at once: exactly one succeeds, the other is a <see cref="VolumeAlreadyExistsException"/>,
    /// and the loser's clean-up leaves the winner's volume in place (20 rounds).
    /// </summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Two_creates_of_one_id_at_once_make_exactly_one_volume_which_survives_the_loser()
    {
        const int Rounds = 20;
        for (int round = 0; round < Rounds; round++)
        {
            string id = $"vol-{round}";
            VolumeSpec[] contenders = [Spec(id) with { ProjectId = "first" }, Spec(id) with { ProjectId = "second" }];

            Exception?[] outcomes = await Task.WhenAll(contenders.Select(spec =>
                Task.Run(() => OutcomeAsync(async () => await Driver.CreateVolumeAsync(spec, None).ConfigureAwait(false))))).ConfigureAwait(false);

            Assert.That(outcomes.Count(o => o is null), Is.EqualTo(1), $"round {round}: exactly one create succeeds ({string.Join(", ", outcomes)})");
            Assert.That(outcomes.Single(o => o is not null), Is.TypeOf<VolumeAlreadyExistsException>(), $"round {round}");
            string winner = outcomes[0] is null ? "first" : "second";
            await CopyAsync(id, SmallData(seed: round)).ConfigureAwait(false);
            Assert.That((await ListedAsync(id).ConfigureAwait(false)).Spec.ProjectId, Is.EqualTo(winner), $"round {round}");
            Assert.That(await ReadVolumeAsync(Driver, id, SmallData(seed: round).Length).ConfigureAwait(false), Is.EqualTo(SmallData(seed: round)));
        }

        Assert.That(await Driver.ListVolumesAsync(None).ConfigureAwait(false), Has.Count.EqualTo(Rounds));
    }

    /// <summary>Makes a filled volume with an owner and metadata of its own; returns it as listed.</summary>
    private async Task<BackendVolume> MakeExistingAsync(string volumeId)
    {
        VolumeSpec spec = Spec(volumeId) with
        {
            ProjectId = "first-project",
            UserId = "first-user",
            Metadata = new Dictionary<string, string> { ["made-by"] = "first" },
        };
        await Driver.CreateVolumeAsync(spec, None).ConfigureAwait(false);
        await CopyAsync(volumeId, Data(seed: 1)).ConfigureAwait(false);
        return await ListedAsync(volumeId).ConfigureAwait(false);
    }

    /// <summary>Asserts that a volume made by <see cref="MakeExistingAsync"/> is still as it was.</summary>
    private async Task AssertUntouchedAsync(BackendVolume before)
    {
        AssertDescribes(await ListedAsync(before.Spec.Id).ConfigureAwait(false), before);
        AssertDescribes(await Driver.GetVolumeAsync(before.Spec.Id, None).ConfigureAwait(false), before);
        Assert.That(await ReadVolumeAsync(Driver, before.Spec.Id, Data(seed: 1).Length).ConfigureAwait(false), Is.EqualTo(Data(seed: 1)));
    }
}
