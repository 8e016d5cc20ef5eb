using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace ImageVolumeCache.TestUtils;

/// <summary>
/// What a test does when a real component it needs (a PostgreSQL server, a reflink-capable directory) is missing: it is
/// ignored locally, and fails under <c>CI=true</c>, where <c>.ci/run</c> provides every component, so a missing one is a
/// fault of the run rather than a silent skip.
/// </summary>
public static class RealComponent
{
    /// <summary>Ignores the calling test, or fails it under <c>CI=true</c>, saying <paramref name="why"/>.</summary>
    /// <param name="why">What is missing and how to provide it.</param>
    [DoesNotReturn]
    public static void Missing(string why)
    {
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(why);
        }

        Assert.Ignore(why);
        throw new UnreachableException();
    }

    /// <summary>Ignores the calling test, or fails it under <c>CI=true</c>, when <paramref name="program"/> is not on <c>PATH</c>.</summary>
    /// <param name="program">The program's file name, as looked up on <c>PATH</c>.</param>
    /// <param name="package">The Debian package that installs it, named in the message.</param>
    public static void RequireProgram(string program, string package)
    {
        bool found = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, program)));
        if (!found)
        {
            Missing($"{program} is missing: install Debian's {package} package (.ci/run does).");
        }
    }
}
