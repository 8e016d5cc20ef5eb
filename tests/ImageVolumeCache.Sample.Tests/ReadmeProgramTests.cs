using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace ImageVolumeCache.Sample.Tests;

/// <summary>
/// The README's "Use it from your own project", done as a newcomer does it: a console project outside the solution,
/// the packages from a folder feed and nothing else of this repository, the README's own <c>dotnet add package</c>
/// commands and <c>Program.cs</c>, built and run.
/// </summary>
public sealed partial class ReadmeProgramTests
{
    private const string Section = "## Use it from your own project";
    private static readonly TimeSpan CommandBound = TimeSpan.FromMinutes(5);

    [Test]
    public async Task The_readme_program_built_from_the_packed_packages_makes_a_miss_then_a_hit()
    {
        string repository = RepositoryRoot();
        (string program, string[] addPackages) = ReadmeSection(repository);
        using var work = new TemporaryDirectory();
        string feed = await PackagesAsync(repository, work);
        string version = PackedVersion(feed);
        string project = Directory.CreateDirectory(work.Combine("VolumeDemo")).FullName;
        var environment = new Dictionary<string, string>
        {
            // An empty packages folder of its own: no copy of an earlier pack with the same version can stand in.
            ["NUGET_PACKAGES"] = work.Combine("nuget-packages"),
            // The program's data folder (Directory.CreateTempSubdirectory) goes with the test's.
            ["TMPDIR"] = Directory.CreateDirectory(work.Combine("tmp")).FullName,
        };
        await WriteNuGetConfigAsync(work, feed, environment);

        await DotnetAsync(project, environment, "new", "console", "--no-update-check");
        foreach (string command in addPackages)
        {
            string[] args = command.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..];
            bool ours = args[2].StartsWith("ImageVolumeCache", StringComparison.Ordinal);
            await DotnetAsync(project, environment, ours && version.Contains('-', StringComparison.Ordinal) ? [.. args, "--prerelease"] : args);
        }

        await File.WriteAllTextAsync(Path.Combine(project, "Program.cs"), program);
        await DotnetAsync(project, environment, "build", "--disable-build-servers");
        string output = await DotnetAsync(project, environment, "run", "--no-build");

        Assert.That(VolumePaths(output), Is.EqualTo(new[] { "vol-1: CacheMissCreated", "vol-2: CacheHit" }), output);
        Assert.That(File.ReadAllText(Path.Combine(project, "VolumeDemo.csproj")), Does.Not.Contain("ProjectReference"));
        foreach (string package in new[] { "imagevolumecache", "imagevolumecache.filesystem", "imagevolumecache.sqlite" })
        {
            Assert.That(
                RestoredFrom(environment["NUGET_PACKAGES"], package, version),
                Is.EqualTo(Path.TrimEndingDirectorySeparator(feed)),
                $"{package} {version} came from the packed folder");
        }
    }

    [Test]
    public async Task The_packed_operator_tool_installs_with_dotnet_tool_install_and_runs_as_ivc()
    {
        string repository = RepositoryRoot();
        using var work = new TemporaryDirectory();
        string feed = await PackagesAsync(repository, work);
        string version = PackedVersion(feed);
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = work.Combine("nuget-packages") };
        string tools = work.Combine("tools");

        // As the README's "Operate it with ivc" says, with a folder of the test's in place of --global.
        await DotnetAsync(work.Path, environment, "tool", "install", "--tool-path", tools, "ImageVolumeCache.Cli", "--add-source", feed, "--version", version);
        string help = await RunAsync(work.Path, environment, Path.Combine(tools, "ivc"), "--help");

        Assert.That(help, Does.Contain("ivc: the image-volume cache's operator tool"));
        foreach (string command in new[] { "entries", "stats", "evict", "purge", "trim", "warm", "reconcile", "health" })
        {
            Assert.That(help, Does.Contain(command));
        }

        Assert.That(Directory.Exists(Path.Combine(tools, ".store", "imagevolumecache.cli", version.ToLowerInvariant())), Is.True, $"version {version} installed");
    }

    /// <summary>The folder of the packages: <c>.ci/run</c>'s (IMAGEVOLUMECACHE_PACKAGES), else packed now by eng/pack.sh.</summary>
    private static async Task<string> PackagesAsync(string repository, TemporaryDirectory work)
    {
        if (Environment.GetEnvironmentVariable("IMAGEVOLUMECACHE_PACKAGES") is { Length: > 0 } packed)
        {
            return Path.GetFullPath(packed);
        }

        string feed = work.Combine("feed");
        await RunAsync(repository, new Dictionary<string, string>(), "bash", "eng/pack.sh", "--output", feed);
        return feed;
    }

    private static string PackedVersion(string feed)
    {
        string[] cores = Directory.GetFiles(feed, "ImageVolumeCache.*.nupkg").Select(Path.GetFileName).OfType<string>()
            .Where(name => CoreVersion().IsMatch(name)).ToArray();
        Assert.That(cores, Has.Length.EqualTo(1), $"one ImageVolumeCache package in {feed}");
        return CoreVersion().Match(cores[0]).Groups["version"].Value;
    }

    /// <summary>
    /// A nuget.config above the project: the packed folder for ImageVolumeCache*, and for every other package the
    /// machine's own registries (its enabled http sources, read before this file exists), nothing else.
    /// </summary>
    private static async Task WriteNuGetConfigAsync(TemporaryDirectory work, string feed, Dictionary<string, string> environment)
    {
        string sources = await DotnetAsync(work.Path, environment, "nuget", "list", "source", "--format", "Short");
        string[] registries = sources.Split('\n', StringSplitOptions.TrimEntries)
            .Where(line => line.StartsWith("E ", StringComparison.Ordinal)).Select(line => line[2..].Trim())
            .Where(source => source.StartsWith("http", StringComparison.OrdinalIgnoreCase)).ToArray();
        Assert.That(registries, Is.Not.Empty, $"no enabled NuGet registry is configured on this machine:\n{sources}");

        var sourceList = new XElement(
            "packageSources",
            new XElement("clear"),
            new XElement("add", new XAttribute("key", "imagevolumecache-local"), new XAttribute("value", feed)));
        var mapping = new XElement(
            "packageSourceMapping",
            new XElement("packageSource", new XAttribute("key", "imagevolumecache-local"), Pattern("ImageVolumeCache"), Pattern("ImageVolumeCache.*")));
        for (int i = 0; i < registries.Length; i++)
        {
            sourceList.Add(new XElement("add", new XAttribute("key", $"registry-{i}"), new XAttribute("value", registries[i])));
            mapping.Add(new XElement("packageSource", new XAttribute("key", $"registry-{i}"), Pattern("*")));
        }

        await File.WriteAllTextAsync(work.Combine("nuget.config"), new XDocument(new XElement("configuration", sourceList, mapping)).ToString());

        static XElement Pattern(string pattern) => new("package", new XAttribute("pattern", pattern));
    }

    /// <summary>Where NuGet took a package from, as its packages folder records it.</summary>
    private static string RestoredFrom(string packagesFolder, string package, string version)
    {
        string metadata = Path.Combine(packagesFolder, package, version.ToLowerInvariant(), ".nupkg.metadata");
        Assert.That(File.Exists(metadata), Is.True, $"{metadata} exists");
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(metadata));
        return Path.TrimEndingDirectorySeparator(document.RootElement.GetProperty("source").GetString() ?? string.Empty);
    }

    /// <summary>The first C# block of the README's section, and its <c>dotnet add package</c> commands.</summary>
    private static (string Program, string[] AddPackages) ReadmeSection(string repository)
    {
        string readme = File.ReadAllText(Path.Combine(repository, "README.md")).ReplaceLineEndings("\n");
        int start = readme.IndexOf("\n" + Section + "\n", StringComparison.Ordinal);
        Assert.That(start, Is.GreaterThanOrEqualTo(0), $"README.md has a section \"{Section}\"");
        int end = readme.IndexOf("\n## ", start + Section.Length, StringComparison.Ordinal);
        string section = end < 0 ? readme[start..] : readme[start..end];

        Match program = CodeBlock().Matches(section).First(block => block.Groups["language"].Value == "csharp");
        string[] addPackages = CodeBlock().Matches(section).Where(block => block.Groups["language"].Value == "sh")
            .SelectMany(block => block.Groups["code"].Value.Split('\n', StringSplitOptions.TrimEntries))
            .Where(line => line.StartsWith("dotnet add package ", StringComparison.Ordinal)).ToArray();
        Assert.That(addPackages, Has.Length.GreaterThanOrEqualTo(3), "the section adds the core, file-system and SQLite packages");
        return (program.Groups["code"].Value, addPackages);
    }

    private static string[] VolumePaths(string output) =>
        output.Split('\n', StringSplitOptions.TrimEntries).Select(line => VolumeLine().Match(line)).Where(m => m.Success)
            .Select(m => $"{m.Groups["volume"].Value}: {m.Groups["path"].Value}").ToArray();

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ImageVolumeCache.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No ImageVolumeCache.sln above {TestContext.CurrentContext.TestDirectory}.");
    }

    private static Task<string> DotnetAsync(string workingDirectory, Dictionary<string, string> environment, params string[] args) =>
        RunAsync(workingDirectory, environment, "dotnet", args);

    /// <summary>
    /// Runs a command to its end, bounded, and asserts it exited with 0; returns its output and errors. It runs as from a
    /// shell: without the MSBuild variables of the test run around it, and without build servers that would outlive it.
    /// </summary>
    private static async Task<string> RunAsync(string workingDirectory, Dictionary<string, string> environment, string program, params string[] args)
    {
        var info = new System.Diagnostics.ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (string name in info.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(name);
        }

        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        info.Environment["UseSharedCompilation"] = "false";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach ((string name, string value) in environment)
        {
            info.Environment[name] = value;
        }

        using var process = System.Diagnostics.Process.Start(info) ?? throw new InvalidOperationException($"Could not start {program}.");
        using var timeout = new CancellationTokenSource(CommandBound);
        Task<string> output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        Task<string> errors = process.StandardError.ReadToEndAsync(timeout.Token);
        string command = $"{program} {string.Join(' ', args)} (in {workingDirectory})";
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            string text = await output + await errors;
            Assert.That(process.ExitCode, Is.Zero, $"{command} failed:\n{text}");
            return text;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{command} did not end within {CommandBound}.");
            throw;
        }
    }

    [GeneratedRegex(@"```(?<language>\w*)\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [GeneratedRegex(@"^(?<volume>vol-\d+): (?<path>\w+)")]
    private static partial Regex VolumeLine();

    [GeneratedRegex(@"^ImageVolumeCache\.(?<version>\d[^/]*)(?<!\.symbols)\.nupkg$")]
    private static partial Regex CoreVersion();
}
