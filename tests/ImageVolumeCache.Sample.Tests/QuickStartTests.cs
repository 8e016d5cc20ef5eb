using System.Diagnostics;

namespace ImageVolumeCache.Sample.Tests;

/// <summary>
/// The README's quick start, run as written: its two commands, the first (the sample) in a fresh clone of the repository
/// with a fresh data folder, the second being the test command that CI runs on its own clean clone.
/// </summary>
public sealed class QuickStartTests
{
    private const string RunSample = "dotnet run --project samples/ImageVolumeCache.Sample";
    private const string RunTests = "dotnet test ImageVolumeCache.sln";

    [Test]
    public void The_quick_start_is_two_commands_and_the_second_is_the_test_command_ci_runs()
    {
        string block = RepositoryFiles.CodeBlocks(RepositoryFiles.Read("README.md"), "## Quick start", string.Empty)[0];
        string ci = RepositoryFiles.Read(".ci/run");

        Assert.That(block.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { RunSample, RunTests }));
        Assert.That(ci, Does.Contain("solution=ImageVolumeCache.sln").And.Contain("dotnet test \"$solution\""), ".ci/run runs dotnet test on the same solution");
    }

    [Test]
    public async Task The_first_command_runs_the_sample_in_a_fresh_clone_with_a_fresh_data_folder()
    {
        using var folder = new TemporaryDirectory();
        string clone = folder.Combine("clone");
        (int cloned, string cloneOutput) = await RunAsync("git", ["clone", "--quiet", RepositoryFiles.Root, clone], RepositoryFiles.Root, folder);
        Assert.That(cloned, Is.Zero, cloneOutput);

        var timer = Stopwatch.StartNew();
        (int exitCode, string output) = await RunAsync("bash", ["-c", RunSample], clone, folder);
        await TestContext.Out.WriteLineAsync($"'{RunSample}' in a fresh clone took {timer.Elapsed.TotalSeconds:F0} s (restore and build included)");

        Assert.That(exitCode, Is.Zero, output);
        Assert.That(output, Does.Contain("CacheMissCreated"), "the first volume fills the empty cache");
        Assert.That(output, Does.Contain("CacheHit"), "the next ones are hits");
        Assert.That(output, Does.Not.Contain("   at "), "no stack trace");
    }

    /// <summary>Runs a command with the temporary folder (and so the sample's default data folder) inside <paramref name="folder"/>.</summary>
    private static async Task<(int ExitCode, string Output)> RunAsync(string program, string[] args, string workingDirectory, TemporaryDirectory folder)
    {
        var start = new ProcessStartInfo(program) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["TMPDIR"] = Directory.CreateDirectory(folder.Combine("tmp")).FullName;
        start.Environment["XDG_CACHE_HOME"] = Directory.CreateDirectory(folder.Combine("cache")).FullName;
        start.Environment["XDG_DATA_HOME"] = Directory.CreateDirectory(folder.Combine("data")).FullName;
        start.Environment.Remove("IMAGEVOLUMECACHE_POSTGRES");
        using Process process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(15));
        return (process.ExitCode, output + await error);
    }
}
