using System.Reflection;
using Microsoft.Extensions.Logging;

namespace ImageVolumeCache.TestUtils;

/// <summary>
/// A package's log event ids are stable: unique, and in the package's own range. Each plug-in package's test project
/// subclasses it in one line, naming its <c>Log</c> class and range.
/// </summary>
public abstract class LogEventIdConventions
{
    /// <summary>The package's class of <c>[LoggerMessage]</c> methods.</summary>
    protected abstract Type LogClass { get; }

    /// <summary>The first event id of the package's range; the range is this and the next 999.</summary>
    protected abstract int RangeStart { get; }

    [Test]
    public void Log_event_ids_are_unique_and_in_the_packages_range()
    {
        int[] ids = LogClass
            .GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
            .OfType<LoggerMessageAttribute>()
            .Select(a => a.EventId)
            .ToArray();

        Assert.That(ids, Is.Not.Empty);
        Assert.That(ids, Is.Unique);
        Assert.That(ids, Is.All.InRange(RangeStart, RangeStart + 999));
    }
}
