using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ImageVolumeCache.FileSystem.Tests.Conversion;

/// <summary>
/// Scratch folders of processes that died are removed at start-up; those of live processes are not. Each folder's lock
/// is an exclusive <c>flock</c> on its lock file, which the kernel drops when its holder dies, here shown with real
/// processes holding it (util-linux <c>flock --close</c>, which holds the lock itself while its command runs) and
/// killed with SIGKILL.
/// </summary>
public sealed class ScratchSweepTests : ConversionTestBase
{
    [Test]
    public async Task Start_up_removes_the_folder_of_a_killed_process_and_keeps_the_folder_of_a_live_one()
    {
        Build();
        Directory.CreateDirectory(ScratchFolder);
        (string deadFolder, Process dead) = HoldScratchFolder("dead");
        (string liveFolder, Process live) = HoldScratchFolder("live");
        try
        {
            dead.Kill(entireProcessTree: true);
            await dead.WaitForExitAsync();

            await StartAsync();

            Assert.That(Directory.Exists(deadFolder), Is.False, "the killed process's folder is swept");
            Assert.That(File.Exists(deadFolder + ".lock"), Is.False);
            Assert.That(Directory.Exists(liveFolder), Is.True, "the live process's folder stays");
            Assert.That(File.Exists(Path.Combine(liveFolder, "image")), Is.True);
        }
        finally
        {
            live.Kill(entireProcessTree: true);
            await live.WaitForExitAsync();
        }
    }

    [Test]
    public async Task Start_up_removes_a_folder_without_a_lock_file()
    {
        Build();
        string orphan = Directory.CreateDirectory(Path.Combine(ScratchFolder, Guid.NewGuid().ToString("N"))).FullName;
        File.WriteAllText(Path.Combine(orphan, "image"), "left by a crash");

        await StartAsync();

        Assert.That(Directory.Exists(orphan), Is.False);
    }

    [Test]
    public async Task Start_up_leaves_alone_what_the_cache_did_not_make_in_the_scratch_folder()
    {
        Build();
        string kept = Directory.CreateDirectory(Path.Combine(ScratchFolder, "operator-notes")).FullName;
        File.WriteAllText(Path.Combine(ScratchFolder, "notes.lock"), "not a lock of the cache");
        File.WriteAllText(Path.Combine(kept, "image"), "not a download");

        await StartAsync();

        Assert.That(Directory.Exists(kept), Is.True);
        Assert.That(File.Exists(Path.Combine(ScratchFolder, "notes.lock")), Is.True);
    }

    [Test]
    public async Task The_scratch_folder_and_each_requests_folder_are_private_to_the_services_user()
    {
        Build(configure: options => options.Conversion.RateLimitBytesPerSecond = MiB);
        AddImage("img", ConvertWithQemu(MakeRawDisk("source.raw", 8, seed: 12, [.. Enumerable.Range(0, 8)]), "qcow2", "image.qcow2"), "qcow2");
        using var cts = new CancellationTokenSource();
        Task<CreateVolumeFromImageResult> request = CreateAsync("vol-1", "img", cancellationToken: cts.Token);
        string? folder = null;
        while (folder is null)
        {
            Assert.That(request.IsCompleted, Is.False, "the request is still converting");
            folder = Directory.Exists(ScratchFolder) ? Directory.EnumerateDirectories(ScratchFolder).FirstOrDefault() : null;
            await Task.Delay(10);
        }

        UnixFileMode owner = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Assert.That(File.GetUnixFileMode(ScratchFolder), Is.EqualTo(owner), "the scratch folder, made by the cache");
        Assert.That(File.GetUnixFileMode(folder), Is.EqualTo(owner), "the request's folder");
        await cts.CancelAsync();
        Assert.That(async () => await request, Throws.InstanceOf<OperationCanceledException>());
    }

    [TestCase("symlink")]
    [TestCase("shared")]
    public async Task A_scratch_folder_others_could_tamper_with_is_refused_naming_the_option(string kind)
    {
        string scratch = Data.Combine("tampered");
        if (kind == "symlink")
        {
            Directory.CreateSymbolicLink(scratch, Directory.CreateDirectory(Data.Combine("elsewhere")).FullName);
        }
        else
        {
            Directory.CreateDirectory(scratch);
            File.SetUnixFileMode(scratch, (UnixFileMode)Convert.ToInt32("1777", 8));
        }

        Build(configure: options => options.Conversion.ScratchDirectory = scratch);
        AddImage("img", Workshop.Create("qcow2", "image.qcow2", "1M"), "qcow2");

        InvalidOperationException? ex = Assert.ThrowsAsync<InvalidOperationException>(async () => await CreateAsync("vol-1", "img"));

        Assert.That(ex!.Message, Does.Contain(scratch).And.Contain("ImageVolumeCache:Conversion:ScratchDirectory"));
        Assert.That(Images.DownloadCount, Is.Zero);
        Assert.That(VolumeFiles(), Is.Empty);
    }

    [Test]
    public async Task A_request_in_progress_keeps_its_folder_through_another_hosts_start_up()
    {
        Build(configure: options => options.Conversion.RateLimitBytesPerSecond = MiB);
        AddImage("img", ConvertWithQemu(MakeRawDisk("source.raw", 16, seed: 10, [.. Enumerable.Range(0, 16)]), "qcow2", "image.qcow2"), "qcow2");
        using var cts = new CancellationTokenSource();
        Task<CreateVolumeFromImageResult> request = CreateAsync("vol-1", "img", cancellationToken: cts.Token);
        while (!Directory.EnumerateDirectories(ScratchFolder).Any(folder => File.Exists(Path.Combine(folder, "image"))))
        {
            Assert.That(request.IsCompleted, Is.False, "the request is still converting");
            await Task.Delay(10);
        }

        string folder = Directory.EnumerateDirectories(ScratchFolder).Single();
        await using (ServiceProvider second = BuildSecondHost())
        {
            foreach (IHostedService service in second.GetServices<IHostedService>())
            {
                await service.StartAsync(CancellationToken.None);
            }
        }

        Assert.That(Directory.Exists(folder), Is.True, "another host's start-up leaves a folder in use alone");
        await cts.CancelAsync();
        Assert.That(async () => await request, Throws.InstanceOf<OperationCanceledException>());
        Assert.That(ScratchLeftovers(), Is.Empty);
    }

    private ServiceProvider BuildSecondHost()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddImageVolumeCache(options => options.Conversion.ScratchDirectory = ScratchFolder)
            .UseImageService(_ => Images)
            .AddFileSystemBackend(Backend, VolumesFolder);
        return services.BuildServiceProvider();
    }

    /// <summary>Makes a scratch folder as a request does, its lock held by a separate process (<c>flock</c> running <c>sleep</c>).</summary>
    private (string Folder, Process Holder) HoldScratchFolder(string name)
    {
        string folder = Path.Combine(ScratchFolder, Guid.NewGuid().ToString("N"));
        TestContext.Out.WriteLine($"{name}: {folder}");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "image"), "a download");
        var start = new ProcessStartInfo("flock") { UseShellExecute = false, RedirectStandardError = true };
        foreach (string arg in new[] { "--exclusive", "--close", folder + ".lock", "sleep", "120" })
        {
            start.ArgumentList.Add(arg);
        }

        Process holder = Process.Start(start)!;
        var waited = Stopwatch.StartNew();
        while (!IsLocked(folder + ".lock"))
        {
            Assert.That(waited.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "flock took its lock");
            Thread.Sleep(10);
        }

        return (folder, holder);
    }

    private static bool IsLocked(string lockFile)
    {
        if (!File.Exists(lockFile))
        {
            return false;
        }

        try
        {
            using var probe = new FileStream(lockFile, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }
}
