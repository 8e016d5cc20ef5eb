namespace ImageVolumeCache.Tests.Conventions;

/// <summary>Library code never resumes on the caller's context: every await in src/ uses ConfigureAwait(false).</summary>
public sealed class ConfigureAwaitConventionTests
{
    [Test]
    public void Every_await_in_library_code_uses_ConfigureAwait_false()
    {
        string src = Path.Combine(RepositoryRoot(), "src");
        var sources = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !IsBuildOutput(Path.GetRelativePath(src, f)))
            .ToList();

        var offenders = sources
            .SelectMany(f => AwaitScanner.FindUnconfiguredAwaits(File.ReadAllText(f)).Select(line => $"{Path.GetRelativePath(RepositoryRoot(), f)}:{line}"))
            .ToList();

        Assert.That(sources, Is.Not.Empty, $"No source files found under {src}.");
        Assert.That(offenders, Is.Empty);
    }

    [Test]
    public void Scanner_flags_an_await_without_ConfigureAwait()
    {
        const string Source = "async Task F()\n{\n    await G().ConfigureAwait(false);\n    await H();\n}\n";

        Assert.That(AwaitScanner.FindUnconfiguredAwaits(Source), Is.EqualTo(new[] { 4 }));
    }

    [Test]
    public void Scanner_accepts_ConfigureAwait_on_a_statement_spanning_lines()
    {
        const string Source = "var x = await G(\n    a,\n    b)\n    .ConfigureAwait(false);\n";

        Assert.That(AwaitScanner.FindUnconfiguredAwaits(Source), Is.Empty);
    }

    [Test]
    public void Scanner_accepts_an_await_inside_a_condition()
    {
        const string Source = "if (!await G(a, b).ConfigureAwait(false) && c)\n{\n}\nbool y = z && await H().ConfigureAwait(false);\n";

        Assert.That(AwaitScanner.FindUnconfiguredAwaits(Source), Is.Empty);
    }

    [Test]
    public void Scanner_flags_an_await_using_whose_ConfigureAwait_is_only_in_its_body()
    {
        const string Source = "await using (lease)\n{\n    await G().ConfigureAwait(false);\n}\nawait using (other.ConfigureAwait(false))\n{\n}\n";

        Assert.That(AwaitScanner.FindUnconfiguredAwaits(Source), Is.EqualTo(new[] { 1 }));
    }

    [Test]
    public void Scanner_flags_an_await_foreach_without_ConfigureAwait()
    {
        const string Source = "await foreach (var x in Items())\n{\n}\nawait foreach (var y in Items().ConfigureAwait(false))\n{\n}\n";

        Assert.That(AwaitScanner.FindUnconfiguredAwaits(Source), Is.EqualTo(new[] { 1 }));
    }

    [Test]
    public void Scanner_flags_an_await_whose_ConfigureAwait_belongs_to_a_later_argument()
    {
        const string Source = "F(await G(), await H().ConfigureAwait(false));\n";

        Assert.That(AwaitScanner.FindUnconfiguredAwaits(Source), Is.EqualTo(new[] { 1 }));
    }

    [Test]
    public void Scanner_ignores_await_in_comments_and_strings()
    {
        const string Source = "// await G();\n/* await H(); */\nstring s = \"await K();\";\nstring v = @\"await \"\"L\"\"();\";\nvar u = \"cinder://x\"; await M().ConfigureAwait(false);\n";

        Assert.That(AwaitScanner.FindUnconfiguredAwaits(Source), Is.Empty);
    }

    private static bool IsBuildOutput(string relativePath) =>
        relativePath.Split(Path.DirectorySeparatorChar).Any(part => part is "obj" or "bin");

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ImageVolumeCache.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No folder above {TestContext.CurrentContext.TestDirectory} holds ImageVolumeCache.sln.");
    }
}
