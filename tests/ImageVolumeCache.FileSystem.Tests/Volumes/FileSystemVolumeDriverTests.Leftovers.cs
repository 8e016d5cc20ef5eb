using ImageVolumeCache.FileSystem.Tests.Support;

namespace ImageVolumeCache.FileSystem.Tests.Volumes;

// The files a process killed in the middle of a driver call leaves behind (found by the SQLite crash test), made by
// hand here: the listing must describe or remove them, and a delete must remove all of a volume's files.
public sealed partial class FileSystemVolumeDriverTests
{
    private const string PendingSuffix = ".json.0123456789abcdef0123456789abcdef.tmp";

    [Test]
    public async Task A_volume_file_whose_sidecar_was_never_renamed_into_place_is_listed_with_the_spec_of_its_pending_sidecar()
    {
        await _driver.CreateVolumeAsync(CacheVolume("cache-1"), CancellationToken.None);
        File.Move(_directory.Combine("cache-1.json"), _directory.Combine("cache-1" + PendingSuffix));

        BackendVolume listed = (await _driver.ListVolumesAsync(CancellationToken.None)).Single();

        Assert.That(listed.Spec.Metadata[CacheVolumeMetadata.CacheVolume], Is.EqualTo("true"), "reconciliation must know it as a cache volume to delete it");
        Assert.That(listed.Spec.ProjectId, Is.EqualTo("cache-project"));
        Assert.That(listed.ImageDataComplete, Is.False);
    }

    [Test]
    public async Task Deleting_a_volume_removes_its_temporary_sidecars_too()
    {
        await _driver.CreateVolumeAsync(CacheVolume("cache-1"), CancellationToken.None);
        File.Copy(_directory.Combine("cache-1.json"), _directory.Combine("cache-1" + PendingSuffix));
        File.SetUnixFileMode(_driver.GetVolumePath("cache-1"), UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        await _driver.DeleteVolumeAsync("cache-1", CancellationToken.None);

        Assert.That(Directory.EnumerateFileSystemEntries(_directory.Path), Is.Empty);
    }

    [Test]
    public async Task The_listing_removes_sidecars_and_temporary_sidecars_whose_volume_file_is_gone_and_keeps_other_files()
    {
        await _driver.CreateVolumeAsync(CacheVolume("deleted-half"), CancellationToken.None);
        await _driver.CreateVolumeAsync(CacheVolume("kept"), CancellationToken.None);
        File.Delete(_driver.GetVolumePath("deleted-half"));
        await File.WriteAllTextAsync(_directory.Combine("never-claimed" + PendingSuffix), "{\"id\": \"never-c");
        await File.WriteAllTextAsync(_directory.Combine("notes.json"), "{\"not\": \"a sidecar\"}");

        IReadOnlyList<BackendVolume> listed = await _driver.ListVolumesAsync(CancellationToken.None);

        Assert.That(listed.Select(v => v.Spec.Id), Is.EqualTo(new[] { "kept" }));
        Assert.That(Directory.EnumerateFiles(_directory.Path).Select(Path.GetFileName), Is.EquivalentTo(new[] { "kept.img", "kept.json", "notes.json" }));
    }

    [Test]
    public async Task A_create_whose_pending_sidecar_was_removed_meanwhile_still_writes_its_sidecar()
    {
        await _driver.CreateVolumeAsync(new VolumeSpec("source", Backend, 1), CancellationToken.None);
        using (var data = new MemoryStream(TestData.Random(TestData.MiB, seed: 1)))
        {
            await _driver.CopyImageToVolumeAsync("source", TestData.Image("image-1", TestData.MiB), data, CancellationToken.None);
        }

        // Stands for another process's listing removing the pending sidecar (it may, in the instant before the volume
        // file is claimed); the clone's fill runs once the file is claimed, with the pending sidecar in place.
        _driver.BeforeWrite = _ =>
        {
            foreach (string pending in Directory.EnumerateFiles(_directory.Path, "*.tmp"))
            {
                File.Delete(pending);
            }
        };
        await _driver.CloneVolumeAsync(CacheVolume("clone"), "source", CancellationToken.None);

        BackendVolume listed = (await _driver.ListVolumesAsync(CancellationToken.None)).Single(v => v.Spec.Id == "clone");
        Assert.That(listed.Spec.ProjectId, Is.EqualTo("cache-project"));
        Assert.That(Directory.EnumerateFiles(_directory.Path, "*.tmp"), Is.Empty);
    }

    private static VolumeSpec CacheVolume(string id) => new(id, Backend, 1)
    {
        ProjectId = "cache-project",
        UserId = "cache-user",
        Metadata = new Dictionary<string, string> { [CacheVolumeMetadata.CacheVolume] = "true", [CacheVolumeMetadata.ImageId] = "image-1" },
    };
}
