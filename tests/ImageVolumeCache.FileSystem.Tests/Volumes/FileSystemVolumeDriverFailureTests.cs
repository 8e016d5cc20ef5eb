using System.Diagnostics;
using static ImageVolumeCache.FileSystem.Tests.Support.TestData;

namespace ImageVolumeCache.FileSystem.Tests.Volumes;

/// <summary>Failures of the file-system driver: clear exceptions, and no partial files left behind.</summary>
public sealed class FileSystemVolumeDriverFailureTests
{
    private const string Backend = "host1@fs";
    private const int ENOSPC = 28;
    private TemporaryDirectory _directory = null!;
    private FileSystemVolumeDriver _driver = null!;

    [SetUp]
    public void CreateDriver()
    {
        _directory = new TemporaryDirectory();
        _driver = NewDriver(_directory.Path);
    }

    [TearDown]
    public void RemoveDirectory() => _directory.Dispose();

    [Test]
    public void Create_in_a_missing_directory_throws_DirectoryNotFoundException_naming_the_backend_and_the_path()
    {
        string missing = _directory.Combine("not-there");
        FileSystemVolumeDriver driver = NewDriver(missing);

        var ex = Assert.ThrowsAsync<DirectoryNotFoundException>(async () => await driver.CreateVolumeAsync(new VolumeSpec("vol-a", Backend, 1), CancellationToken.None));

        Assert.That(ex!.Message, Does.Contain(Backend).And.Contain(missing));
        Assert.That(Directory.Exists(missing), Is.False);
    }

    [Test]
    public async Task Create_of_an_existing_volume_names_it_and_keeps_its_files()
    {
        await _driver.CreateVolumeAsync(new VolumeSpec("vol-a", Backend, 1) { ProjectId = "first" }, CancellationToken.None);

        var ex = Assert.ThrowsAsync<VolumeAlreadyExistsException>(async () => await _driver.CreateVolumeAsync(new VolumeSpec("vol-a", Backend, 2), CancellationToken.None));

        Assert.That(ex!.Message, Does.Contain("vol-a").And.Contain(Backend));
        IReadOnlyList<BackendVolume> listed = await _driver.ListVolumesAsync(CancellationToken.None);
        Assert.That(listed.Single().Spec.ProjectId, Is.EqualTo("first"));
        Assert.That(new FileInfo(_driver.GetVolumePath("vol-a")).Length, Is.EqualTo(GiB));
    }

    [Test]
    public async Task Image_data_larger_than_the_volume_is_unacceptable()
    {
        await _driver.CreateVolumeAsync(new VolumeSpec("vol-a", Backend, 1), CancellationToken.None);
        using var tooLarge = new ZeroPaddedStream(GiB + 1);

        var ex = Assert.ThrowsAsync<ImageUnacceptableException>(async () =>
            await _driver.CopyImageToVolumeAsync("vol-a", Image("image-1", tooLarge.Length), tooLarge, CancellationToken.None));

        Assert.That(ex!.Message, Does.Contain("vol-a").And.Contain("image-1"));
        Assert.That((await _driver.ListVolumesAsync(CancellationToken.None)).Single().ImageDataComplete, Is.False);
    }

    [Test]
    public async Task A_write_failing_during_a_clone_names_the_volume_and_leaves_no_partial_files()
    {
        await MakeFilledAsync("source", Random(4 * MiB, seed: 1));
        _driver.BeforeWrite = offset =>
        {
            if (offset >= MiB)
            {
                throw new IOException("No space left on device", ENOSPC);
            }
        };

        var ex = Assert.ThrowsAsync<IOException>(async () => await _driver.CloneVolumeAsync(new VolumeSpec("clone", Backend, 1), "source", CancellationToken.None));

        Assert.That(ex!.Message, Does.Contain("clone").And.Contain(Backend).And.Contain("No space left on device"));
        Assert.That(VolumeFiles(), Is.EquivalentTo(new[] { "source.img", "source.json" }));
    }

    [Test]
    public async Task A_write_failing_during_a_copy_leaves_the_volume_marked_incomplete()
    {
        await _driver.CreateVolumeAsync(new VolumeSpec("vol-a", Backend, 1), CancellationToken.None);
        _driver.BeforeWrite = offset =>
        {
            if (offset >= MiB)
            {
                throw new IOException("No space left on device", ENOSPC);
            }
        };

        var ex = Assert.ThrowsAsync<IOException>(async () => await CopyAsync("vol-a", Random(4 * MiB, seed: 1)));

        Assert.That(ex!.Message, Does.Contain("vol-a").And.Contain(Backend));
        Assert.That((await _driver.ListVolumesAsync(CancellationToken.None)).Single().ImageDataComplete, Is.False);
    }

    [Test]
    public async Task A_clone_cancelled_half_way_leaves_no_partial_files()
    {
        await MakeFilledAsync("source", Random(4 * MiB, seed: 1));
        using var cancellation = new CancellationTokenSource();
        _driver.BeforeWrite = offset =>
        {
            if (offset >= MiB)
            {
                cancellation.Cancel();
            }
        };

        Assert.CatchAsync<OperationCanceledException>(async () => await _driver.CloneVolumeAsync(new VolumeSpec("clone", Backend, 1), "source", cancellation.Token));

        Assert.That(VolumeFiles(), Is.EquivalentTo(new[] { "source.img", "source.json" }));
    }

    [Test]
    public async Task A_full_disk_surfaces_as_an_IOException_and_leaves_no_partial_clone()
    {
        using var small = SmallFileSystem.Mount(_directory.Combine("small"), sizeMiB: 8);
        FileSystemVolumeDriver driver = NewDriver(small.Path);
        await driver.CreateVolumeAsync(new VolumeSpec("source", Backend, 1), CancellationToken.None);
        using (var data = new MemoryStream(Random(5 * MiB, seed: 1)))
        {
            await driver.CopyImageToVolumeAsync("source", Image("image-1", data.Length), data, CancellationToken.None);
        }

        var ex = Assert.ThrowsAsync<IOException>(async () => await driver.CloneVolumeAsync(new VolumeSpec("clone", Backend, 1), "source", CancellationToken.None));

        Assert.That(ex!.Message, Does.Contain("clone").And.Contain(Backend));
        Assert.That(Directory.EnumerateFiles(small.Path).Select(Path.GetFileName), Is.EquivalentTo(new[] { "source.img", "source.json" }));
    }

    private static FileSystemVolumeDriver NewDriver(string directory) =>
        new(new FileSystemVolumeDriverOptions { BackendName = Backend, Directory = directory });

    private IEnumerable<string?> VolumeFiles() => Directory.EnumerateFiles(_directory.Path).Select(Path.GetFileName);

    private async Task MakeFilledAsync(string volumeId, byte[] data)
    {
        await _driver.CreateVolumeAsync(new VolumeSpec(volumeId, Backend, 1), CancellationToken.None);
        await CopyAsync(volumeId, data);
    }

    private async Task CopyAsync(string volumeId, byte[] data)
    {
        using var stream = new MemoryStream(data);
        await _driver.CopyImageToVolumeAsync(volumeId, Image("image-1", data.Length), stream, CancellationToken.None);
    }

    /// <summary>A stream of zeros (which the driver does not write, so a long one is cheap) ending with one non-zero byte.</summary>
    private sealed class ZeroPaddedStream(long length) : MemoryStream
    {
        private long _position;

        public override long Length => length;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int read = (int)Math.Min(buffer.Length, length - _position);
            buffer[..read].Clear();
            _position += read;
            if (read > 0 && _position == length)
            {
                buffer[read - 1] = 1;
            }

            return read;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));
    }

    /// <summary>A tmpfs of a few MiB mounted for one test (root only; otherwise the test is ignored).</summary>
    private sealed class SmallFileSystem : IDisposable
    {
        private SmallFileSystem(string path) => Path = path;

        public string Path { get; }

        public static SmallFileSystem Mount(string path, int sizeMiB)
        {
            Directory.CreateDirectory(path);
            if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || Run("mount", "-t", "tmpfs", "-o", $"size={sizeMiB}m", "tmpfs", path) != 0)
            {
                Assert.Ignore("Mounting a small tmpfs needs root on Linux; the injected write failures above cover the same clean-up.");
            }

            return new SmallFileSystem(path);
        }

        public void Dispose() => Run("umount", Path);

        private static int Run(string command, params string[] arguments)
        {
            var start = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (string argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using Process process = Process.Start(start)!;
            process.WaitForExit();
            return process.ExitCode;
        }
    }
}
