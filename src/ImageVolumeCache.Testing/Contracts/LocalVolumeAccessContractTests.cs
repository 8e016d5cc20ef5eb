using NUnit.Framework;

namespace ImageVolumeCache.Testing;

/// <summary>
/// The contract of the optional <see cref="ILocalVolumeAccess"/>, run against a driver that implements it by subclassing
/// this fixture (beside its <see cref="VolumeDriverContractTests{TDriver}"/>): the path it gives holds the volume, reads
/// as zeros, and what is written there is the volume's data once the write is completed.
/// </summary>
/// <typeparam name="TDriver">The driver under test.</typeparam>
public abstract class LocalVolumeAccessContractTests<TDriver>
    where TDriver : IVolumeDriver, ILocalVolumeAccess
{
    /// <summary>The host of the volumes the suite makes.</summary>
    protected const string Host = "host1@contract";

    private static readonly CancellationToken None = CancellationToken.None;
    private TDriver _driver = default!;

    /// <summary>The driver under test, made by <see cref="CreateDriver"/> before each test.</summary>
    protected TDriver Driver => _driver;

    /// <summary>Makes a new driver over an empty backend; called before every test.</summary>
    /// <returns>The driver.</returns>
    protected abstract TDriver CreateDriver();

    /// <summary>Makes the driver under test.</summary>
    [SetUp]
    public void CreateDriverUnderTest() => _driver = CreateDriver();

    /// <summary>Disposes the driver under test when it is disposable.</summary>
    /// <returns>A task.</returns>
    [TearDown]
    public async Task DisposeDriverUnderTest() => await ContractSubject.DisposeAsync(_driver).ConfigureAwait(false);

    /// <summary>The path reads as zeros (old data discarded), and data written there is the volume's, and its clone's, after completion.</summary>
    /// <returns>A task.</returns>
    [Test]
    public async Task Data_written_through_the_local_path_is_the_volumes_data_once_completed()
    {
        byte[] old = Data(seed: 1);
        byte[] data = Data(seed: 2);
        await Driver.CreateVolumeAsync(Spec("vol-a"), None).ConfigureAwait(false);
        using (var stream = new MemoryStream(old, writable: false))
        {
            await Driver.CopyImageToVolumeAsync("vol-a", Image(old.Length), stream, None).ConfigureAwait(false);
        }

        string? path = await Driver.BeginLocalWriteAsync("vol-a", None).ConfigureAwait(false);

        Assert.That(path, Is.Not.Null, "the driver gives a path for a volume it made");
        Assert.That(Path.IsPathFullyQualified(path!), Is.True, "the path is absolute");
        Assert.That((await Driver.GetVolumeAsync("vol-a", None).ConfigureAwait(false))!.ImageDataComplete, Is.False, "not complete while being written");
        byte[] before = new byte[old.Length];
        FileStream file = File.Open(path!, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        await using (file.ConfigureAwait(false))
        {
            await file.ReadExactlyAsync(before).ConfigureAwait(false);
            Assert.That(before.Any(b => b != 0), Is.False, "the volume reads as zeros: its old data is gone");
            file.Position = 0;
            await file.WriteAsync(data).ConfigureAwait(false);
        }

        await Driver.CompleteLocalWriteAsync("vol-a", Image(data.Length), None).ConfigureAwait(false);
        await Driver.CloneVolumeAsync(Spec("vol-b"), "vol-a", None).ConfigureAwait(false);

        Assert.That((await Driver.GetVolumeAsync("vol-a", None).ConfigureAwait(false))!.ImageDataComplete, Is.True);
        Assert.That(await ReadVolumeAsync(Driver, "vol-a", data.Length).ConfigureAwait(false), Is.EqualTo(data));
        Assert.That(await ReadVolumeAsync(Driver, "vol-b", data.Length).ConfigureAwait(false), Is.EqualTo(data));
    }

    /// <summary>A volume that does not exist has no local path.</summary>
    [Test]
    public void Beginning_a_local_write_of_a_missing_volume_throws_volume_not_found()
    {
        VolumeNotFoundException? ex = Assert.ThrowsAsync<VolumeNotFoundException>(async () => await Driver.BeginLocalWriteAsync("missing", None).ConfigureAwait(false));

        Assert.That(ex!.VolumeId, Is.EqualTo("missing"));
    }

    /// <summary>Reads the first <paramref name="length"/> bytes of a volume.</summary>
    /// <param name="driver">The driver under test.</param>
    /// <param name="volumeId">The volume.</param>
    /// <param name="length">How many bytes to read.</param>
    /// <returns>The bytes.</returns>
    protected abstract ValueTask<byte[]> ReadVolumeAsync(TDriver driver, string volumeId, int length);

    private static VolumeSpec Spec(string id) => new(id, Host, 1);

    private static ImageInfo Image(long size) => new("image-1", size, new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    private static byte[] Data(int seed)
    {
        byte[] data = new byte[1 << 20];
        new Random(seed).NextBytes(data);
        return data;
    }
}
