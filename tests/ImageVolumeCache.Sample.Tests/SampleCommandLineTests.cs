namespace ImageVolumeCache.Sample.Tests;

/// <summary>
/// The sample's command line, through the real program as a user runs it: usage text, errors that name the option and
/// its value, no stack trace for any user error, the documented exit codes, and the default data folder.
/// </summary>
public sealed class SampleCommandLineTests
{
    private const string HelpHint = "Run the sample with --help to see its options.";

    [Test]
    public async Task Help_prints_the_options_and_the_exit_codes_and_makes_nothing()
    {
        using var home = new TemporaryDirectory();

        SampleProcessResult run = await SampleProcess.RunAsync(home.Path, "--help");

        Assert.That(run.ExitCode, Is.EqualTo(0), run.ToString());
        Assert.That(
            run.Output,
            Does.Contain("Usage:").And.Contain("--data-dir").And.Contain("--reset").And.Contain("--image-size-mb")
                .And.Contain("--ImageVolumeCache:KEY VALUE").And.Contain("Exit codes:").And.Contain("the image is refused"),
            run.ToString());
        Assert.That(run.Output, Does.Not.Contain("ImageVolumeCache sample:").And.Not.Contain("vol-1"), "the help runs nothing");
        Assert.That(run.Error, Is.Empty);
        Assert.That(Directory.EnumerateFileSystemEntries(home.Path), Is.Empty, "nothing is written to the data folder");
    }

    [TestCase("--image-size-mb abc", "--image-size-mb: 'abc' is not a whole number.")]
    [TestCase("--image-size-mb -5", "--image-size-mb: '-5' is too small: it must be at least 1.")]
    [TestCase("--volumes 1", "--volumes: '1' is too small: it must be at least 2.")]
    [TestCase("--keep-volumes yes", "--keep-volumes: 'yes' is not true or false.")]
    [TestCase("--store sqlite3", "--store: 'sqlite3' is not one of sqlite, memory, postgres.")]
    [TestCase("--disk-format luks", "--disk-format: 'luks' is not one of raw, qcow2, vmdk, vhd, vhdx, vdi, iso.")]
    [TestCase("--image /missing.raw", "--image: '/missing.raw' does not exist.")]
    [TestCase("--glance ftp://glance.example --glance-image img", "--glance: 'ftp://glance.example' is not an http or https URL.")]
    [TestCase("--glance http://127.0.0.1:9292", "--glance needs --glance-image with the id of the image to make the volumes from.")]
    [TestCase("--glance-image img", "--glance-image and --glance-token need --glance with the URL of the Glance API.")]
    public async Task A_bad_value_exits_with_2_naming_the_option_the_value_and_only_the_rule_it_breaks(string arguments, string message)
    {
        SampleProcessResult run = await RunUsageErrorAsync(arguments);

        Assert.That(run.ErrorLines, Is.EqualTo(new[] { message, HelpHint }), run.ToString());
    }

    [TestCase("--bogus 1", "--bogus")]
    [TestCase("--backend host2@fs", "--backend")]
    [TestCase("--volumes", "--volumes")]
    [TestCase("--image-size-mb", "--image-size-mb")]
    [TestCase("--ImageVolumeCache:Defaults:MaxCount", "--ImageVolumeCache:Defaults:MaxCount")]
    public async Task An_unknown_option_or_one_without_its_value_exits_with_2_naming_it(string arguments, string option)
    {
        SampleProcessResult run = await RunUsageErrorAsync(arguments);

        Assert.That(run.ErrorLines[0], Does.Contain(option), run.ToString());
        Assert.That(run.ErrorLines[^1], Is.EqualTo(HelpHint), run.ToString());
        Assert.That(run.Error, Does.Not.Contain("   at "), "no stack trace");
    }

    [TestCase("--data-dir /proc/x", "the data folder /proc/x (--data-dir) cannot be used: ")]
    [TestCase("--data-dir {data} --store-file /proc/x/cache.db", "/proc/x/cache.db")]
    public async Task A_failure_to_start_is_reported_once_without_a_stack_trace_and_exits_with_1(string arguments, string reason)
    {
        using var home = new TemporaryDirectory();
        string[] args = [.. arguments.Replace("{data}", home.Combine("data"), StringComparison.Ordinal).Split(' '), "--image-size-mb", "1"];

        SampleProcessResult run = await SampleProcess.RunAsync(home.Path, args);

        Assert.That(run.ExitCode, Is.EqualTo(1), run.ToString());
        Assert.That(run.ErrorLines, Has.Length.EqualTo(1), "once, and not again in the host's log with its stack trace: " + run);
        Assert.That(run.ErrorLines[0], Does.StartWith("The sample failed: ").And.Contain(reason), run.ToString());
        Assert.That(run.Output, Does.Not.Contain("Hosting failed to start").And.Not.Contain("   at "), run.ToString());
    }

    [Test]
    public async Task A_cache_configuration_value_the_cache_refuses_exits_with_2_naming_the_key()
    {
        using var home = new TemporaryDirectory();

        SampleProcessResult run = await SampleProcess.RunAsync(
            home.Path, "--data-dir", home.Combine("data"), "--image-size-mb", "1", "--ImageVolumeCache:Defaults:MaxCount", "-1");

        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(
            run.ErrorLines,
            Is.EqualTo(new[] { "The cache configuration is refused: ImageVolumeCache:Defaults:MaxCount must be 0 (unlimited) or more, but was -1." }),
            run.ToString());
        Assert.That(run.Output, Is.Empty, run.ToString());
    }

    [Test]
    public async Task An_image_that_is_not_the_format_it_claims_is_refused_in_one_line_with_exit_3()
    {
        using var home = new TemporaryDirectory();
        string image = home.Combine("disk.raw");
        await File.WriteAllBytesAsync(image, new byte[1 << 20]);

        SampleProcessResult run = await SampleProcess.RunAsync(home.Path, "--data-dir", home.Combine("data"), "--image", image, "--disk-format", "qcow2");

        Assert.That(run.ExitCode, Is.EqualTo(3), run.ToString());
        Assert.That(run.ErrorLines, Has.Length.EqualTo(1), run.ToString());
        Assert.That(run.ErrorLines[0], Does.StartWith("The image is refused: ").And.Contain("format mismatch"), run.ToString());
    }

    [Test]
    public async Task Ctrl_C_stops_the_sample_in_one_line_with_exit_130()
    {
        using var home = new TemporaryDirectory();

        // Large enough that writing the image outlasts the signal's way to the sample.
        SampleProcessResult run = await SampleProcess.InterruptAsync(home.Path, "Image demo-image:", "--data-dir", home.Combine("data"), "--image-size-mb", "4096");

        Assert.That(run.ExitCode, Is.EqualTo(130), run.ToString());
        Assert.That(run.ErrorLines, Is.EqualTo(new[] { "The sample was stopped." }), run.ToString());
    }

    [Test]
    public async Task Without_data_dir_the_first_run_starts_empty_and_the_second_warm_in_the_users_cache_folder()
    {
        using var home = new TemporaryDirectory();
        string data = home.Combine("imagevolumecache-sample");

        SampleProcessResult first = await SampleProcess.RunAsync(home.Path, "--image-size-mb", "1", "--volumes", "2");
        SampleProcessResult second = await SampleProcess.RunAsync(home.Path, "--image-size-mb", "1", "--volumes", "2");

        Assert.That(first.ExitCode, Is.EqualTo(0), first.ToString());
        Assert.That(first.FirstLine, Is.EqualTo($"Cache: empty (first run in {data})"), first.ToString());
        Assert.That(second.ExitCode, Is.EqualTo(0), second.ToString());
        Assert.That(second.FirstLine, Is.EqualTo($"Cache: warm, 1 entry kept from an earlier run in {data} (--reset starts empty)"), second.ToString());
        Assert.That(File.Exists(Path.Combine(data, "cache.db")), Is.True, "the default data folder is $XDG_CACHE_HOME/imagevolumecache-sample");
    }

    [Test]
    public async Task Reset_makes_a_run_start_empty_again()
    {
        using var home = new TemporaryDirectory();
        string data = home.Combine("imagevolumecache-sample");
        SampleProcessResult first = await SampleProcess.RunAsync(home.Path, "--image-size-mb", "1", "--volumes", "2");

        SampleProcessResult reset = await SampleProcess.RunAsync(home.Path, "--image-size-mb", "1", "--volumes", "2", "--reset");

        Assert.That(first.ExitCode, Is.EqualTo(0), first.ToString());
        Assert.That(reset.ExitCode, Is.EqualTo(0), reset.ToString());
        Assert.That(reset.FirstLine, Is.EqualTo($"Cache: empty (reset, first run in {data})"), reset.ToString());
        Assert.That(reset.Output, Does.Contain("CacheMissCreated"), "the first volume is a miss again");
    }

    [Test]
    public async Task Reset_with_the_entries_kept_outside_the_data_folder_still_starts_empty_and_says_so_first()
    {
        using var home = new TemporaryDirectory();
        string[] args = ["--image-size-mb", "1", "--volumes", "2", "--store-file", home.Combine("entries.db")];
        SampleProcessResult first = await SampleProcess.RunAsync(home.Path, args);

        // The store keeps its entry; the reconciliation at start-up evicts it, since its cache volume is gone.
        SampleProcessResult reset = await SampleProcess.RunAsync(home.Path, [.. args, "--reset"]);

        Assert.That(first.ExitCode, Is.EqualTo(0), first.ToString());
        Assert.That(reset.ExitCode, Is.EqualTo(0), reset.ToString());
        Assert.That(reset.FirstLine, Is.EqualTo($"Cache: empty (reset, first run in {home.Combine("entries.db")})"), reset.ToString());
        Assert.That(reset.Output, Does.Contain("notification  image_volume_cache.evict").And.Contain("CacheMissCreated"), reset.ToString());
    }

    /// <summary>
    /// Runs the sample with <paramref name="arguments"/> (split at spaces) on a data folder of its own, and asserts what
    /// every usage error shares: exit code 2, nothing printed on standard output (no checksum, no image) and nothing made.
    /// </summary>
    private static async Task<SampleProcessResult> RunUsageErrorAsync(string arguments)
    {
        using var home = new TemporaryDirectory();
        string data = home.Combine("data");

        SampleProcessResult run = await SampleProcess.RunAsync(home.Path, ["--data-dir", data, .. arguments.Split(' ')]);

        Assert.That(run.ExitCode, Is.EqualTo(2), run.ToString());
        Assert.That(run.Output, Is.Empty, run.ToString());
        Assert.That(Directory.Exists(data), Is.False, "nothing is made before the options are checked");
        return run;
    }
}
