using ImageVolumeCache.FileSystem.Tests.Support;

namespace ImageVolumeCache.FileSystem.Tests.Volumes;

// Volume ids become file names, so the driver takes only ids of a safe alphabet (ASCII letters, digits, '-', '_', '.',
// 1 to 200 characters, not starting with '.'), and finds a volume's files by exact name, never by a pattern.
public sealed partial class FileSystemVolumeDriverTests
{
    [Test]
    public async Task Deleting_a_volume_named_star_keeps_the_pending_sidecar_of_a_crashed_cache_volume()
    {
        await _driver.CreateVolumeAsync(CacheVolume("cache-1"), CancellationToken.None);
        File.Move(_directory.Combine("cache-1.json"), _directory.Combine("cache-1" + PendingSuffix));

        Assert.ThrowsAsync<ArgumentException>(async () => await _driver.DeleteVolumeAsync("*", CancellationToken.None));

        Assert.That(File.Exists(_directory.Combine("cache-1" + PendingSuffix)), Is.True);
        BackendVolume listed = (await _driver.ListVolumesAsync(CancellationToken.None)).Single();
        Assert.That(listed.Spec.Metadata[CacheVolumeMetadata.CacheVolume], Is.EqualTo("true"), "reconciliation must still know it as a cache volume");
    }

    [Test]
    public async Task Deleting_a_volume_keeps_the_pending_sidecar_of_a_volume_whose_id_starts_with_its_sidecar_name()
    {
        // "a.json.x" is a valid id; a pattern "a.json.*.tmp" built from the id "a" would match its pending sidecar.
        await _driver.CreateVolumeAsync(CacheVolume("a.json.x"), CancellationToken.None);
        File.Move(_directory.Combine("a.json.x.json"), _directory.Combine("a.json.x" + PendingSuffix));

        await _driver.DeleteVolumeAsync("a", CancellationToken.None);

        Assert.That(File.Exists(_directory.Combine("a.json.x" + PendingSuffix)), Is.True);
        Assert.That((await _driver.GetVolumeAsync("a.json.x", CancellationToken.None))!.Spec.ProjectId, Is.EqualTo("cache-project"));
    }

    [TestCase("*")]
    [TestCase("?")]
    [TestCase("vol-[1]")]
    [TestCase(".hidden")]
    [TestCase("a b")]
    [TestCase("vol\\1")]
    [TestCase("vol-é")]
    [TestCase("../x")]
    public async Task Every_method_refuses_an_id_outside_the_safe_alphabet_with_an_ArgumentException_naming_it(string id)
    {
        await MakeFilledAsync("source", TestData.Random(TestData.MiB, seed: 1));
        var calls = new Dictionary<string, Func<Task>>
        {
            ["GetVolumePath"] = () => Task.FromResult(_driver.GetVolumePath(id)),
            ["CreateVolumeAsync"] = () => _driver.CreateVolumeAsync(new VolumeSpec(id, Backend, 1), CancellationToken.None).AsTask(),
            ["CloneVolumeAsync target"] = () => _driver.CloneVolumeAsync(new VolumeSpec(id, Backend, 1), "source", CancellationToken.None).AsTask(),
            ["CloneVolumeAsync source"] = () => _driver.CloneVolumeAsync(new VolumeSpec("clone", Backend, 1), id, CancellationToken.None).AsTask(),
            ["TryCloneImageAsync"] = () => _driver.TryCloneImageAsync(new VolumeSpec(id, Backend, 1), TestData.Image("image-1", 1), CancellationToken.None).AsTask(),
            ["CopyImageToVolumeAsync"] = () => _driver.CopyImageToVolumeAsync(id, TestData.Image("image-1", 1), new MemoryStream([1]), CancellationToken.None).AsTask(),
            ["ExtendVolumeAsync"] = () => _driver.ExtendVolumeAsync(id, 2, CancellationToken.None).AsTask(),
            ["DeleteVolumeAsync"] = () => _driver.DeleteVolumeAsync(id, CancellationToken.None).AsTask(),
            ["GetVolumeAsync"] = () => _driver.GetVolumeAsync(id, CancellationToken.None).AsTask(),
        };

        Assert.Multiple(() =>
        {
            foreach ((string method, Func<Task> call) in calls)
            {
                var ex = Assert.CatchAsync<ArgumentException>(async () => await call(), method);
                Assert.That(ex?.Message, Does.Contain($"'{id}'"), method);
            }
        });
        Assert.That(Directory.EnumerateFiles(_directory.Path).Select(Path.GetFileName), Is.EquivalentTo(new[] { "source.img", "source.json" }));
    }

    [Test]
    public async Task Ids_of_the_safe_alphabet_up_to_200_characters_are_accepted()
    {
        string[] ids = ["Vol_1.2-3", "0", new string('a', 200)];

        foreach (string id in ids)
        {
            await _driver.CreateVolumeAsync(new VolumeSpec(id, Backend, 1), CancellationToken.None);
        }

        Assert.That((await _driver.ListVolumesAsync(CancellationToken.None)).Select(v => v.Spec.Id), Is.EquivalentTo(ids));
        Assert.ThrowsAsync<ArgumentException>(async () => await _driver.CreateVolumeAsync(new VolumeSpec(new string('a', 201), Backend, 1), CancellationToken.None));
    }
}
