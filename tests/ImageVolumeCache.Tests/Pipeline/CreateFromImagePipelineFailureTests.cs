using System.Text;
using ImageVolumeCache.Testing;

namespace ImageVolumeCache.Tests.Pipeline;

/// <summary>Bad input and failures: clear exceptions, fallbacks, and nothing left behind on the backend.</summary>
public sealed class CreateFromImagePipelineFailureTests : HarnessTestBase
{
    [Test]
    public void Image_larger_than_the_requested_volume_fails_with_the_sizes_in_the_message()
    {
        Harness.AddImage("img", virtualSizeBytes: (4 * CacheHarness.GiB) + 1);

        var ex = Assert.ThrowsAsync<ImageUnacceptableException>(async () => await Harness.CreateAsync("img", sizeGb: 4, volumeId: "v1"));

        Assert.That(ex!.Message, Does.Contain("5 GB").And.Contain("'v1' is 4 GB").And.Contain("img"));
        Assert.That(Harness.Driver.Calls, Is.Empty);
    }

    [Test]
    public async Task Requester_who_cannot_see_the_image_gets_no_clone_even_when_it_is_cached()
    {
        Harness.AddImage("private", owner: "owner-project");
        var owner = new RequestContext("owner-project", "owner");
        await Harness.Pipeline.CreateAsync(CacheHarness.Request("private", requester: owner));
        int callsBefore = Harness.Driver.Calls.Count;
        Harness.Notifier.Clear();

        Assert.ThrowsAsync<ImageNotFoundException>(async () => await Harness.Pipeline.CreateAsync(CacheHarness.Request("private", volumeId: "stolen")));

        Assert.That(Harness.Driver.Calls, Has.Count.EqualTo(callsBefore));
        Assert.That(Harness.Driver.Exists("stolen"), Is.False);
        Assert.That(Harness.Notifier.Notifications, Is.Empty);
    }

    [Test]
    public void Unknown_image_fails_with_image_not_found()
    {
        var ex = Assert.ThrowsAsync<ImageNotFoundException>(async () => await Harness.CreateAsync("nope"));

        Assert.That(ex!.ImageId, Is.EqualTo("nope"));
    }

    [Test]
    public void Volume_smaller_than_one_gb_is_rejected()
    {
        Harness.AddImage("img");

        var ex = Assert.ThrowsAsync<ArgumentException>(async () => await Harness.CreateAsync("img", sizeGb: 0, volumeId: "v1"));

        Assert.That(ex!.Message, Does.Contain("'v1'"));
    }

    [Test]
    public async Task Failure_while_filling_the_cache_volume_falls_back_to_a_download_into_the_target()
    {
        Harness.AddImage("img");
        Harness.Driver.Fault = call => call.Operation == DriverOperation.CopyImage && call.VolumeId != "v1" ? new IOException("disk error") : null;

        CreateVolumeFromImageResult result = await Harness.CreateAsync("img", volumeId: "v1", sizeGb: 2);

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissNotCached));
        Assert.That(Harness.Driver.Volumes.Select(v => v.Spec.Id), Is.EqualTo(new[] { "v1" }), "the half-made cache volume is deleted");
        Assert.That(Harness.Driver.GetVolume("v1").Data, Has.Length.EqualTo(4096));
        Assert.That(await Harness.Store.ListAsync(null, CancellationToken.None), Is.Empty);
        Assert.That(Harness.Logs(1006), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Failure_to_create_the_cache_volume_falls_back_to_a_download_into_the_target()
    {
        Harness.AddImage("img");
        Harness.Driver.Fault = call => call.Operation == DriverOperation.Create && call.VolumeId != "v1" ? new InvalidOperationException("internal tenant over quota") : null;

        CreateVolumeFromImageResult result = await Harness.CreateAsync("img", volumeId: "v1");

        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissNotCached));
        Assert.That(Harness.Driver.Volumes.Select(v => v.Spec.Id), Is.EqualTo(new[] { "v1" }));
        Assert.That(await Harness.Store.ListAsync(null, CancellationToken.None), Is.Empty);
    }

    [Test]
    public async Task Failure_of_the_cleanup_is_logged_with_the_volume_id_and_does_not_hide_the_fallback()
    {
        Harness.AddImage("img");
        Harness.Driver.Fault = call => call.Operation switch
        {
            DriverOperation.CopyImage when call.VolumeId != "v1" => new IOException("disk error"),
            DriverOperation.Delete => new IOException("delete failed"),
            _ => null,
        };

        CreateVolumeFromImageResult result = await Harness.CreateAsync("img", volumeId: "v1");

        string cacheVolume = Harness.Driver.Calls.First(c => c.Operation == DriverOperation.Create).VolumeId;
        Assert.That(result.Path, Is.EqualTo(CreateFromImagePath.CacheMissNotCached));
        Assert.That(Harness.Logs(1011).Single().Message, Does.Contain(cacheVolume));
    }

    [Test]
    public async Task Corrupt_image_data_fails_the_request_and_caches_nothing()
    {
        Harness.AddImage("img");
        Harness.Images.StreamFactory = (_, data) =>
        {
            byte[] copy = [.. data];
            copy[100] ^= 0xFF;
            return new MemoryStream(copy);
        };

        var ex = Assert.ThrowsAsync<ImageDataCorruptException>(async () => await Harness.CreateAsync("img"));

        Assert.That(ex!.Message, Does.Contain("checksum"));
        Assert.That(Harness.Driver.Volumes, Is.Empty);
        Assert.That(await Harness.Store.ListAsync(null, CancellationToken.None), Is.Empty);
    }

    [Test]
    public async Task Truncated_image_data_fails_the_request_and_caches_nothing()
    {
        Harness.AddImage("img");
        Harness.Images.StreamFactory = (_, data) => new MemoryStream(data, 0, data.Length - 1);

        var ex = Assert.ThrowsAsync<ImageDataCorruptException>(async () => await Harness.CreateAsync("img"));

        Assert.That(ex!.Message, Does.Contain("4095 bytes"));
        Assert.That(Harness.Driver.Volumes, Is.Empty);
        Assert.That(await Harness.Store.ListAsync(null, CancellationToken.None), Is.Empty);
    }

    [Test]
    public void Corrupt_image_data_fails_the_plain_download_too_and_leaves_no_target()
    {
        using var harness = new CacheHarness(internalTenant: false);
        harness.AddImage("img");
        harness.Images.StreamFactory = (_, _) => new MemoryStream(Encoding.ASCII.GetBytes("not the image"));

        Assert.ThrowsAsync<ImageDataCorruptException>(async () => await harness.CreateAsync("img"));

        Assert.That(harness.Driver.Volumes, Is.Empty);
    }

    [Test]
    public async Task Image_service_failure_while_downloading_fails_the_request_without_a_second_download()
    {
        Harness.AddImage("img");
        Harness.Images.Fault = (operation, _) => operation == "OpenRead" ? new HttpRequestException("image service down") : null;

        Assert.ThrowsAsync<HttpRequestException>(async () => await Harness.CreateAsync("img"));

        Assert.That(Harness.Images.DownloadCount, Is.EqualTo(1));
        Assert.That(Harness.Driver.Volumes, Is.Empty);
        Assert.That(await Harness.Store.ListAsync(null, CancellationToken.None), Is.Empty);
    }

    [Test]
    public async Task Cancellation_while_filling_the_cache_volume_deletes_it_and_throws()
    {
        Harness.AddImage("img");
        using var cts = new CancellationTokenSource();
        Harness.Driver.Delay = (call, ct) =>
        {
            if (call.Operation == DriverOperation.CopyImage)
            {
                cts.Cancel();
                ct.ThrowIfCancellationRequested();
            }

            return ValueTask.CompletedTask;
        };

        Assert.CatchAsync<OperationCanceledException>(async () => await Harness.Pipeline.CreateAsync(CacheHarness.Request("img"), cts.Token));

        Assert.That(Harness.Driver.Volumes, Is.Empty);
        Assert.That(await Harness.Store.ListAsync(null, CancellationToken.None), Is.Empty);
    }

    [Test]
    public async Task Failure_to_extend_the_target_deletes_it()
    {
        Harness.AddImage("img");
        Harness.Driver.Fault = call => call.Operation == DriverOperation.Extend ? new IOException("extend failed") : null;

        Assert.ThrowsAsync<IOException>(async () => await Harness.CreateAsync("img", volumeId: "v1", sizeGb: 3));

        Assert.That(Harness.Driver.Exists("v1"), Is.False);
        Assert.That(await Harness.Store.ListAsync(null, CancellationToken.None), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Missing_internal_tenant_turns_the_cache_off_with_one_warning()
    {
        using var harness = new CacheHarness(internalTenant: false);
        harness.AddImage("img");

        CreateVolumeFromImageResult first = await harness.CreateAsync("img");
        CreateVolumeFromImageResult second = await harness.CreateAsync("img");

        Assert.That(first.Path, Is.EqualTo(CreateFromImagePath.Download));
        Assert.That(second.Path, Is.EqualTo(CreateFromImagePath.Download));
        Assert.That(harness.Images.DownloadCount, Is.EqualTo(2));
        Assert.That(await harness.Store.ListAsync(null, CancellationToken.None), Is.Empty);
        Assert.That(harness.Logs(1000), Has.Count.EqualTo(1));
        Assert.That(harness.Logs(1000)[0].Level, Is.EqualTo(Microsoft.Extensions.Logging.LogLevel.Warning));
    }
}
