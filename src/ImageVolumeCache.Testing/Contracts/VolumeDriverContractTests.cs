using NUnit.Framework;

namespace ImageVolumeCache.Testing;

/// <summary>
/// The contract every <see cref="IVolumeDriver"/> keeps, written once and run against a driver by subclassing this
/// fixture: make the driver, and read back the first bytes of a volume. Volumes are 1 GB (a driver that allocates
/// lazily pays for the data only) and hold a few MB of image data with an all-zero block in the middle.
/// </summary>
/// <typeparam name="TDriver">The driver under test.</typeparam>
/// <example>
/// <code>
/// public sealed class MyDriverContractTests : VolumeDriverContractTests&lt;MyDriver&gt;
/// {
///     protected override MyDriver CreateDriver() =&gt; new(...);
///     protected override ValueTask&lt;byte[]&gt; ReadVolumeAsync(MyDriver driver, string volumeId, int length) =&gt; driver.ReadAsync(volumeId, length);
/// }
/// </code>
/// </example>
public abstract partial class VolumeDriverContractTests<TDriver>
    where TDriver : IVolumeDriver
{
    /// <summary>The host of the volumes the suite makes.</summary>
    protected const string Host = "host1@contract";

    private const int MiB = 1 << 20;
    private static readonly CancellationToken None = CancellationToken.None;
    private TDriver _driver = default!;

    /// <summary>The driver under test, made by <see cref="CreateDriver"/> before each test.</summary>
    protected TDriver Driver => _driver;

    /// <summary>Makes a new driver over an empty backend; called before every test.</summary>
    /// <returns>The driver.</returns>
    protected abstract TDriver CreateDriver();

    /// <summary>Reads the first <paramref name="length"/> bytes of a volume (zeros past the data written).</summary>
    /// <param name="driver">The driver under test.</param>
    /// <param name="volumeId">The volume.</param>
    /// <param name="length">How many bytes to read.</param>
    /// <returns>The bytes.</returns>
    protected abstract ValueTask<byte[]> ReadVolumeAsync(TDriver driver, string volumeId, int length);

    /// <summary>Makes the driver under test.</summary>
    [SetUp]
    public void CreateDriverUnderTest() => _driver = CreateDriver();

    /// <summary>Disposes the driver under test when it is disposable.</summary>
    /// <returns>A task.</returns>
    [TearDown]
    public async Task DisposeDriverUnderTest() => await ContractSubject.DisposeAsync(_driver).ConfigureAwait(false);

    /// <summary>A made volume is listed with its spec, owner and metadata, and without image data.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Create_makes_a_volume_the_listing_reports_with_its_owner_and_metadata()
    {
        VolumeSpec spec = Spec("vol-a") with
        {
            Cluster = "cluster-1",
            ProjectId = "project-1",
            UserId = "user-1",
            Metadata = new Dictionary<string, string> { ["purpose"] = "contract", [CacheVolumeMetadata.ImageId] = "image-1" },
        };

        await Driver.CreateVolumeAsync(spec, None).ConfigureAwait(false);

        BackendVolume listed = await ListedAsync("vol-a").ConfigureAwait(false);
        Assert.Multiple(() =>
        {
            Assert.That(listed.Spec with { Metadata = spec.Metadata }, Is.EqualTo(spec));
            Assert.That(listed.Spec.Metadata, Is.EquivalentTo(spec.Metadata));
            Assert.That(listed.ImageDataComplete, Is.False);
        });
    }

    /// <summary>Making a volume whose id is taken fails and keeps the first.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Create_of_an_existing_volume_throws_VolumeAlreadyExistsException_and_keeps_the_first()
    {
        await Driver.CreateVolumeAsync(Spec("vol-a"), None).ConfigureAwait(false);
        await CopyAsync("vol-a", Data(seed: 1)).ConfigureAwait(false);

        Assert.ThrowsAsync<VolumeAlreadyExistsException>(async () => await Driver.CreateVolumeAsync(Spec("vol-a"), None).ConfigureAwait(false));
        Assert.That(await ReadVolumeAsync(Driver, "vol-a", Data(seed: 1).Length).ConfigureAwait(false), Is.EqualTo(Data(seed: 1)));
    }

    /// <summary>Image data lands from the start of the volume, byte for byte, and the volume is then complete.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Copy_image_writes_the_data_from_the_start_and_marks_the_volume_complete()
    {
        byte[] data = Data(seed: 1);
        await Driver.CreateVolumeAsync(Spec("vol-a"), None).ConfigureAwait(false);

        await CopyAsync("vol-a", data).ConfigureAwait(false);

        Assert.That(await ReadVolumeAsync(Driver, "vol-a", data.Length + 4096).ConfigureAwait(false), Is.EqualTo(data.Concat(new byte[4096]).ToArray()));
        Assert.That((await ListedAsync("vol-a").ConfigureAwait(false)).ImageDataComplete, Is.True);
    }

    /// <summary>A copy whose data stream fails half way leaves the volume marked incomplete.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Copy_image_cut_short_leaves_the_volume_incomplete()
    {
        await Driver.CreateVolumeAsync(Spec("vol-a"), None).ConfigureAwait(false);
        using var data = new FailingStream(Data(seed: 1), failAfter: 2 * MiB, () => new IOException("The image service went away."));

        Assert.ThrowsAsync<IOException>(async () => await Driver.CopyImageToVolumeAsync("vol-a", Image(data.Length), data, None).ConfigureAwait(false));
        Assert.That((await ListedAsync("vol-a").ConfigureAwait(false)).ImageDataComplete, Is.False);
    }

    /// <summary>A copy cancelled half way throws and leaves the volume marked incomplete.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Copy_image_cancelled_half_way_leaves_the_volume_incomplete()
    {
        await Driver.CreateVolumeAsync(Spec("vol-a"), None).ConfigureAwait(false);
        using var cancellation = new CancellationTokenSource();
        using var data = new FailingStream(Data(seed: 1), failAfter: 2 * MiB, () =>
        {
            cancellation.Cancel();
            return new OperationCanceledException(cancellation.Token);
        });

        Assert.CatchAsync<OperationCanceledException>(async () =>
            await Driver.CopyImageToVolumeAsync("vol-a", Image(data.Length), data, cancellation.Token).ConfigureAwait(false));
        Assert.That((await ListedAsync("vol-a").ConfigureAwait(false)).ImageDataComplete, Is.False);
    }

    /// <summary>Copying into a volume that does not exist is a <see cref="VolumeNotFoundException"/>.</summary>
    [Test]
    public void Copy_image_to_a_missing_volume_throws_VolumeNotFoundException()
    {
        using var data = new MemoryStream(Data(seed: 1));

        var ex = Assert.ThrowsAsync<VolumeNotFoundException>(async () => await Driver.CopyImageToVolumeAsync("missing", Image(data.Length), data, None).ConfigureAwait(false));
        Assert.That(ex!.VolumeId, Is.EqualTo("missing"));
    }

    /// <summary>A clone holds exactly its source's data and is listed with its own spec.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Clone_is_byte_identical_to_its_source()
    {
        byte[] data = Data(seed: 1);
        await MakeFilledAsync("source", data).ConfigureAwait(false);

        await Driver.CloneVolumeAsync(Spec("clone"), "source", None).ConfigureAwait(false);

        Assert.That(await ReadVolumeAsync(Driver, "clone", data.Length).ConfigureAwait(false), Is.EqualTo(data));
        Assert.That((await ListedAsync("clone").ConfigureAwait(false)).Spec with { Metadata = Spec("clone").Metadata }, Is.EqualTo(Spec("clone")));
    }

    /// <summary>Writing the clone leaves the source as it was, and deleting the source leaves the clone.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Clone_is_independent_of_its_source()
    {
        byte[] data = Data(seed: 1);
        await MakeFilledAsync("source", data).ConfigureAwait(false);
        await Driver.CloneVolumeAsync(Spec("clone"), "source", None).ConfigureAwait(false);

        await CopyAsync("clone", Data(seed: 2)).ConfigureAwait(false);
        byte[] sourceAfter = await ReadVolumeAsync(Driver, "source", data.Length).ConfigureAwait(false);
        await Driver.DeleteVolumeAsync("source", None).ConfigureAwait(false);

        Assert.That(sourceAfter, Is.EqualTo(data));
        Assert.That(await ReadVolumeAsync(Driver, "clone", data.Length).ConfigureAwait(false), Is.EqualTo(Data(seed: 2)));
    }

    /// <summary>A clone may be larger than its source: it keeps the data and has the larger size.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Clone_at_a_larger_size_keeps_the_data_and_has_the_larger_size()
    {
        byte[] data = Data(seed: 1);
        await MakeFilledAsync("source", data).ConfigureAwait(false);

        await Driver.CloneVolumeAsync(Spec("clone", sizeGb: 3), "source", None).ConfigureAwait(false);

        Assert.That(await ReadVolumeAsync(Driver, "clone", data.Length).ConfigureAwait(false), Is.EqualTo(data));
        Assert.That((await ListedAsync("clone").ConfigureAwait(false)).Spec.SizeGb, Is.EqualTo(3));
    }

    /// <summary>Cloning a volume that does not exist is a <see cref="VolumeNotFoundException"/> and makes nothing.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Clone_of_a_missing_source_throws_VolumeNotFoundException_and_makes_nothing()
    {
        var ex = Assert.ThrowsAsync<VolumeNotFoundException>(async () => await Driver.CloneVolumeAsync(Spec("clone"), "missing", None).ConfigureAwait(false));

        Assert.That(ex!.VolumeId, Is.EqualTo("missing"));
        Assert.That(await Driver.ListVolumesAsync(None).ConfigureAwait(false), Is.Empty);
    }

    /// <summary>Extending grows the volume and keeps its data.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Extend_grows_the_volume_and_keeps_its_data()
    {
        byte[] data = Data(seed: 1);
        await MakeFilledAsync("vol-a", data).ConfigureAwait(false);

        await Driver.ExtendVolumeAsync("vol-a", 2, None).ConfigureAwait(false);

        Assert.That(await ReadVolumeAsync(Driver, "vol-a", data.Length).ConfigureAwait(false), Is.EqualTo(data));
        Assert.That((await ListedAsync("vol-a").ConfigureAwait(false)).Spec.SizeGb, Is.EqualTo(2));
    }

    /// <summary>Extending a volume that does not exist is a <see cref="VolumeNotFoundException"/>.</summary>
    [Test]
    public void Extend_of_a_missing_volume_throws_VolumeNotFoundException()
    {
        Assert.ThrowsAsync<VolumeNotFoundException>(async () => await Driver.ExtendVolumeAsync("missing", 2, None).ConfigureAwait(false));
    }

    /// <summary>A deleted volume is gone from the listing and cannot be cloned.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Delete_removes_the_volume()
    {
        await MakeFilledAsync("vol-a", Data(seed: 1)).ConfigureAwait(false);
        await Driver.CreateVolumeAsync(Spec("vol-b"), None).ConfigureAwait(false);

        await Driver.DeleteVolumeAsync("vol-a", None).ConfigureAwait(false);

        var listed = await Driver.ListVolumesAsync(None).ConfigureAwait(false);
        Assert.That(listed.Select(v => v.Spec.Id), Is.EqualTo(new[] { "vol-b" }));
        Assert.ThrowsAsync<VolumeNotFoundException>(async () => await Driver.CloneVolumeAsync(Spec("clone"), "vol-a", None).ConfigureAwait(false));
    }

    /// <summary>Deleting a volume twice, or one that never existed, succeeds.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Delete_of_a_missing_volume_succeeds()
    {
        await Driver.CreateVolumeAsync(Spec("vol-a"), None).ConfigureAwait(false);
        await Driver.DeleteVolumeAsync("vol-a", None).ConfigureAwait(false);

        Assert.DoesNotThrowAsync(async () => await Driver.DeleteVolumeAsync("vol-a", None).ConfigureAwait(false));
        Assert.DoesNotThrowAsync(async () => await Driver.DeleteVolumeAsync("never-made", None).ConfigureAwait(false));
    }

    /// <summary>A filled cache volume can still be cloned and deleted (a driver may make it read-only).</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task A_filled_cache_volume_can_be_cloned_and_deleted()
    {
        byte[] data = Data(seed: 1);
        VolumeSpec cacheVolume = Spec("cache-vol") with
        {
            ProjectId = "cache-project",
            UserId = "cache-user",
            Metadata = new Dictionary<string, string> { [CacheVolumeMetadata.CacheVolume] = "true", [CacheVolumeMetadata.ImageId] = "image-1" },
        };
        await Driver.CreateVolumeAsync(cacheVolume, None).ConfigureAwait(false);
        await CopyAsync("cache-vol", data).ConfigureAwait(false);

        await Driver.CloneVolumeAsync(Spec("clone"), "cache-vol", None).ConfigureAwait(false);
        await Driver.DeleteVolumeAsync("cache-vol", None).ConfigureAwait(false);

        var listed = await Driver.ListVolumesAsync(None).ConfigureAwait(false);
        Assert.That(listed.Select(v => v.Spec.Id), Is.EqualTo(new[] { "clone" }));
        Assert.That(await ReadVolumeAsync(Driver, "clone", data.Length).ConfigureAwait(false), Is.EqualTo(data));
    }

    /// <summary>Getting a volume describes it as the listing does: spec, owner, metadata and whether its image data is complete.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task GetVolume_describes_a_volume_as_the_listing_does()
    {
        VolumeSpec spec = Spec("vol-a") with
        {
            ProjectId = "project-1",
            UserId = "user-1",
            Metadata = new Dictionary<string, string> { ["purpose"] = "contract", [CacheVolumeMetadata.ImageId] = "image-1" },
        };
        await Driver.CreateVolumeAsync(spec, None).ConfigureAwait(false);
        await CopyAsync("vol-a", Data(seed: 1)).ConfigureAwait(false);
        await Driver.CreateVolumeAsync(Spec("vol-b"), None).ConfigureAwait(false);

        BackendVolume? filled = await Driver.GetVolumeAsync("vol-a", None).ConfigureAwait(false);
        BackendVolume? empty = await Driver.GetVolumeAsync("vol-b", None).ConfigureAwait(false);

        AssertDescribes(filled, await ListedAsync("vol-a").ConfigureAwait(false));
        AssertDescribes(empty, await ListedAsync("vol-b").ConfigureAwait(false));
        Assert.That(filled!.Spec.Metadata, Is.EquivalentTo(spec.Metadata));
        Assert.That((filled.ImageDataComplete, empty!.ImageDataComplete), Is.EqualTo((true, false)));
    }

    /// <summary>Getting a volume that never existed, or was deleted, returns <see langword="null"/>.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task GetVolume_of_a_missing_volume_returns_null()
    {
        await Driver.CreateVolumeAsync(Spec("vol-a"), None).ConfigureAwait(false);
        await Driver.DeleteVolumeAsync("vol-a", None).ConfigureAwait(false);

        Assert.That(await Driver.GetVolumeAsync("vol-a", None).ConfigureAwait(false), Is.Null);
        Assert.That(await Driver.GetVolumeAsync("never-made", None).ConfigureAwait(false), Is.Null);
    }

    /// <summary>The listing reports each volume once, whatever made it; only a volume filled by a copy has complete image data.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task List_reports_every_volume_once()
    {
        await MakeFilledAsync("vol-a", Data(seed: 1)).ConfigureAwait(false);
        await Driver.CreateVolumeAsync(Spec("vol-b"), None).ConfigureAwait(false);
        await Driver.CloneVolumeAsync(Spec("vol-c"), "vol-a", None).ConfigureAwait(false);

        var listed = await Driver.ListVolumesAsync(None).ConfigureAwait(false);

        Assert.That(listed.Select(v => v.Spec.Id), Is.EquivalentTo(new[] { "vol-a", "vol-b", "vol-c" }));
        Assert.That(listed.Where(v => v.ImageDataComplete).Select(v => v.Spec.Id), Is.EqualTo(new[] { "vol-a" }));
    }

    /// <summary>A create or clone cancelled before it starts makes nothing.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Cancelled_create_and_clone_leave_no_volume()
    {
        await MakeFilledAsync("source", Data(seed: 1)).ConfigureAwait(false);
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync().ConfigureAwait(false);

        Assert.CatchAsync<OperationCanceledException>(async () => await Driver.CreateVolumeAsync(Spec("vol-a"), cancellation.Token).ConfigureAwait(false));
        Assert.CatchAsync<OperationCanceledException>(async () => await Driver.CloneVolumeAsync(Spec("clone"), "source", cancellation.Token).ConfigureAwait(false));

        var listed = await Driver.ListVolumesAsync(None).ConfigureAwait(false);
        Assert.That(listed.Select(v => v.Spec.Id), Is.EqualTo(new[] { "source" }));
    }

    /// <summary>
    /// An image the driver under test can clone directly (<see cref="IVolumeDriver.TryCloneImageAsync"/> returns
    /// <see langword="true"/> for it), holding <paramref name="data"/>; <see langword="null"/> (the default) when the driver
    /// never clones images directly. Override it to have the suite check direct clones too.
    /// </summary>
    /// <param name="driver">The driver under test.</param>
    /// <param name="data">The image data.</param>
    /// <returns>The image, or <see langword="null"/>.</returns>
    protected virtual ValueTask<ImageInfo?> DirectlyClonableImageAsync(TDriver driver, byte[] data) => ValueTask.FromResult<ImageInfo?>(null);

    /// <summary>A 1 GB volume spec on <see cref="Host"/>.</summary>
    /// <param name="id">The volume id.</param>
    /// <param name="sizeGb">The size; default 1.</param>
    /// <returns>The spec.</returns>
    protected static VolumeSpec Spec(string id, int sizeGb = 1) => new(id, Host, sizeGb);

    /// <summary>
    /// Image data of 3 MiB and 1000 bytes, different per seed, with its second MiB all zeros (which a sparse driver
    /// may skip writing).
    /// </summary>
    /// <param name="seed">Makes the data differ.</param>
    /// <returns>The data.</returns>
    protected static byte[] Data(int seed)
    {
        byte[] data = new byte[(3 * MiB) + 1000];
        new Random(seed).NextBytes(data);
        Array.Clear(data, MiB, MiB);
        return data;
    }

    private static ImageInfo Image(long size) => new("image-1", size, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private async Task MakeFilledAsync(string volumeId, byte[] data)
    {
        await Driver.CreateVolumeAsync(Spec(volumeId), None).ConfigureAwait(false);
        await CopyAsync(volumeId, data).ConfigureAwait(false);
    }

    private async Task CopyAsync(string volumeId, byte[] data)
    {
        using var stream = new MemoryStream(data, writable: false);
        await Driver.CopyImageToVolumeAsync(volumeId, Image(data.Length), stream, None).ConfigureAwait(false);
    }

    /// <summary>Random data of 64 KiB, different per seed: enough to tell volumes apart in tests that make hundreds of them.</summary>
    private static byte[] SmallData(int seed)
    {
        byte[] data = new byte[64 << 10];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>Runs a call and returns what it threw, or <see langword="null"/> when it succeeded.</summary>
    private static async Task<Exception?> OutcomeAsync(Func<Task> call)
    {
        try
        {
            await call().ConfigureAwait(false);
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    private static void AssertDescribes(BackendVolume? actual, BackendVolume expected)
    {
        Assert.That(actual, Is.Not.Null, $"volume '{expected.Spec.Id}' should be found");
        Assert.That(actual!.Spec with { Metadata = expected.Spec.Metadata }, Is.EqualTo(expected.Spec));
        Assert.That(actual.Spec.Metadata, Is.EquivalentTo(expected.Spec.Metadata));
        Assert.That(actual.ImageDataComplete, Is.EqualTo(expected.ImageDataComplete));
    }

    private async Task<BackendVolume> ListedAsync(string volumeId)
    {
        var listed = await Driver.ListVolumesAsync(None).ConfigureAwait(false);
        Assert.That(listed.Count(v => v.Spec.Id == volumeId), Is.EqualTo(1), $"volume '{volumeId}' should be listed once");
        return listed.Single(v => v.Spec.Id == volumeId);
    }
}
