using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using static ImageVolumeCache.FileSystem.Tests.Support.TestData;

namespace ImageVolumeCache.FileSystem.Tests.Images;

// Manifests are not trusted: one whose data file lies outside the folder (by "..", an absolute path or a symbolic link)
// or whose id is not its file name is refused, so the image is not found (as if it did not exist) and the refusal is
// logged as an error naming the manifest. The service fills the image's owner and container format from its manifest.
public sealed partial class FolderImageServiceTests
{
    [TestCase("../outside.raw")]
    [TestCase("sub/../../outside.raw")]
    [TestCase("absolute")]
    public async Task A_manifest_whose_file_is_outside_the_folder_is_refused_as_not_found_and_logged(string file)
    {
        string outside = Path.Combine(Path.GetDirectoryName(_folder.Path)!, "outside.raw");
        await File.WriteAllBytesAsync(_elsewhere.Combine("outside.raw"), Random(MiB, seed: 1));
        string target = file == "absolute" ? _elsewhere.Combine("outside.raw") : file;
        if (file != "absolute")
        {
            File.Copy(_elsewhere.Combine("outside.raw"), outside, overwrite: true);
        }

        try
        {
            await WriteManifestAsync("image-1", manifest => manifest["file"] = target);

            AssertRefused("image-1");
        }
        finally
        {
            File.Delete(outside);
        }
    }

    [Test]
    public async Task A_manifest_whose_data_file_is_a_symbolic_link_out_of_the_folder_is_refused()
    {
        await File.WriteAllBytesAsync(_elsewhere.Combine("secret.raw"), Random(MiB, seed: 1));
        File.CreateSymbolicLink(_folder.Combine("image-1.raw"), _elsewhere.Combine("secret.raw"));
        await WriteManifestAsync("image-1", manifest => manifest["file"] = "image-1.raw");

        AssertRefused("image-1");
    }

    [Test]
    public async Task A_manifest_whose_id_is_not_its_file_name_is_refused_so_an_alias_never_reaches_a_private_image()
    {
        await _images.AddImageAsync(new FolderImage("private-1", Owner.ProjectId) { Visibility = ImageVisibility.Private }, new MemoryStream(Random(MiB, seed: 1)), CancellationToken.None);
        JsonNode alias = JsonNode.Parse(await File.ReadAllTextAsync(_folder.Combine("private-1.json")))!;
        alias["visibility"] = "public";
        await File.WriteAllTextAsync(_folder.Combine("alias.json"), alias.ToJsonString());

        AssertRefused("alias");
        Assert.That((await _images.GetImageAsync(Owner, "private-1", CancellationToken.None)).Id, Is.EqualTo("private-1"), "the image itself is still there");
    }

    [Test]
    public async Task An_image_is_described_with_its_owner_and_container_format()
    {
        await _images.AddImageAsync(new FolderImage("image-1", Owner.ProjectId), new MemoryStream(Random(MiB, seed: 1)), CancellationToken.None);
        await WriteManifestAsync("image-2", manifest => manifest["container_format"] = "bare");

        ImageInfo added = await _images.GetImageAsync(Other, "image-1", CancellationToken.None);
        ImageInfo written = await _images.GetImageAsync(Other, "image-2", CancellationToken.None);

        Assert.That((added.Owner, added.ContainerFormat), Is.EqualTo((Owner.ProjectId, (string?)null)));
        Assert.That((written.Owner, written.ContainerFormat), Is.EqualTo((Owner.ProjectId, "bare")));
    }

    [Test]
    public async Task An_image_file_added_from_outside_the_folder_is_linked_into_it_and_served_from_there()
    {
        byte[] data = Random(MiB, seed: 1);
        await File.WriteAllBytesAsync(_elsewhere.Combine("cloud.raw"), data);

        ImageInfo added = await _images.AddImageFileAsync(new FolderImage("image-1", Owner.ProjectId), _elsewhere.Combine("cloud.raw"), CancellationToken.None);

        using JsonDocument manifest = JsonDocument.Parse(await File.ReadAllTextAsync(_folder.Combine("image-1.json")));
        Assert.That(manifest.RootElement.GetProperty("file").GetString(), Is.EqualTo("image-1.raw"));
        Assert.That(added.Locations, Is.EqualTo(new[] { new Uri(_folder.Combine("image-1.raw")).AbsoluteUri }));
        await using Stream stream = await _images.OpenReadAsync(Owner, "image-1", CancellationToken.None);
        using var read = new MemoryStream();
        await stream.CopyToAsync(read);
        Assert.That(read.ToArray(), Is.EqualTo(data));
    }

    [Test]
    public async Task An_image_file_inside_the_folder_is_recorded_by_its_name_in_the_folder()
    {
        await File.WriteAllBytesAsync(_folder.Combine("cloud.raw"), Random(MiB, seed: 1));

        await _images.AddImageFileAsync(new FolderImage("image-1", Owner.ProjectId), _folder.Combine("cloud.raw"), CancellationToken.None);

        using JsonDocument manifest = JsonDocument.Parse(await File.ReadAllTextAsync(_folder.Combine("image-1.json")));
        Assert.That(manifest.RootElement.GetProperty("file").GetString(), Is.EqualTo("cloud.raw"));
        Assert.That((await _images.GetImageAsync(Owner, "image-1", CancellationToken.None)).Checksum, Is.Not.Null);
    }

    /// <summary>Writes a public image's data file and manifest by hand, changed by <paramref name="change"/>.</summary>
    private async Task WriteManifestAsync(string id, Action<JsonObject> change)
    {
        byte[] data = Random(MiB, seed: 2);
        await File.WriteAllBytesAsync(_folder.Combine(id + ".data"), data);
        var manifest = new JsonObject
        {
            ["id"] = id,
            ["name"] = id,
            ["owner"] = Owner.ProjectId,
            ["visibility"] = "public",
            ["disk_format"] = "raw",
            ["updated_at"] = "2026-11-01T12:00:00+00:00",
            ["size"] = data.Length,
            ["checksum"] = Sha256(data),
            ["file"] = id + ".data",
        };
        change(manifest);
        await File.WriteAllTextAsync(_folder.Combine(id + ".json"), manifest.ToJsonString());
    }

    private void AssertRefused(string id)
    {
        Assert.ThrowsAsync<ImageNotFoundException>(async () => await _images.GetImageAsync(Other with { IsAdmin = true }, id, CancellationToken.None));
        Assert.ThrowsAsync<ImageNotFoundException>(async () => await _images.OpenReadAsync(Other with { IsAdmin = true }, id, CancellationToken.None));
        FakeLogRecord[] errors = [.. _logger.Collector.GetSnapshot().Where(r => r.Level == LogLevel.Error)];
        Assert.That(errors, Is.Not.Empty, "the refusal is logged");
        Assert.That(errors[0].Message, Does.Contain(_folder.Combine(id + ".json")));
    }
}
