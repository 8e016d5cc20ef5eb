using NUnit.Framework;

namespace ImageVolumeCache.Testing;

// Volume ids come from requests. A driver may refuse ids outside its alphabet (ArgumentException); an id it accepts is
// only ever a name, never a pattern or a path, so no call with it reaches another volume.
public abstract partial class VolumeDriverContractTests<TDriver>
{
    /// <summary>Ids that are patterns, paths or empty, which a driver must refuse or treat as plain names.</summary>
    /// <returns>The ids.</returns>
    public static IEnumerable<string> UnsafeIds() => ["*", "?", "vol-*", "../x", "a/b", string.Empty];

    /// <summary>
    /// Every call with an unsafe id is refused with an <see cref="ArgumentException"/> or handled as a name of its own:
    /// the other volumes keep their data and spec, and a delete of <c>*</c> removes none of them.
    /// </summary>
    /// <param name="id">The unsafe id.</param>
    /// <returns>A task.</returns>
    [TestCaseSource(nameof(UnsafeIds))]
    public async Task An_unsafe_volume_id_is_refused_or_handled_without_touching_other_volumes(string id)
    {
        BackendVolume filled = await MakeExistingAsync("vol-a").ConfigureAwait(false);
        await Driver.CreateVolumeAsync(Spec("vol-b"), None).ConfigureAwait(false);
        BackendVolume empty = await ListedAsync("vol-b").ConfigureAwait(false);

        await RefusedOrDoneAsync(() => Driver.CloneVolumeAsync(Spec(id), "vol-a", None)).ConfigureAwait(false);
        await RefusedOrDoneAsync(() => Driver.GetVolumeAsync(id, None)).ConfigureAwait(false);
        await RefusedOrDoneAsync(() => new ValueTask(CopyAsync(id, Data(seed: 2)))).ConfigureAwait(false);
        await RefusedOrDoneAsync(() => Driver.ExtendVolumeAsync(id, 2, None)).ConfigureAwait(false);
        await RefusedOrDoneAsync(() => Driver.CloneVolumeAsync(Spec("vol-c"), id, None)).ConfigureAwait(false);
        await RefusedOrDoneAsync(() => Driver.DeleteVolumeAsync(id, None)).ConfigureAwait(false);
        await RefusedOrDoneAsync(() => Driver.CreateVolumeAsync(Spec(id), None)).ConfigureAwait(false);
        await RefusedOrDoneAsync(() => Driver.DeleteVolumeAsync(id, None)).ConfigureAwait(false);
        await Driver.DeleteVolumeAsync("vol-c", None).ConfigureAwait(false);

        await AssertUntouchedAsync(filled).ConfigureAwait(false);
        AssertDescribes(await ListedAsync("vol-b").ConfigureAwait(false), empty);
        var listed = await Driver.ListVolumesAsync(None).ConfigureAwait(false);
        Assert.That(listed.Select(v => v.Spec.Id), Is.EquivalentTo(new[] { "vol-a", "vol-b" }));
    }

    /// <summary>Runs a call that may refuse the id (<see cref="ArgumentException"/>) or not find the volume.</summary>
    private static async Task RefusedOrDoneAsync(Func<ValueTask> call)
    {
        Exception? outcome = await OutcomeAsync(async () => await call().ConfigureAwait(false)).ConfigureAwait(false);
        Assert.That(outcome, Is.Null.Or.InstanceOf<ArgumentException>().Or.TypeOf<VolumeNotFoundException>(), outcome?.ToString());
    }

    private static Task RefusedOrDoneAsync<T>(Func<ValueTask<T>> call) => RefusedOrDoneAsync(async () =>
    {
        _ = await call().ConfigureAwait(false);
    });
}
