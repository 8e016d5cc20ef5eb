using System.Reflection;
using Microsoft.Extensions.Logging;

namespace ImageVolumeCache.Tests.Diagnostics;

/// <summary>The core package's [LoggerMessage] event ids are stable, so they must be unique and stay in its range.</summary>
public sealed class LogEventIdTests
{
    private static readonly IReadOnlyList<(string Method, int EventId)> EventIds = typeof(ImageVolumeCache.Diagnostics.Log)
        .GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly)
        .Select(m => (m.Name, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
        .Where(m => m.Attribute is not null)
        .Select(m => (m.Name, m.Attribute!.EventId))
        .ToList();

    [Test]
    public void Log_event_ids_are_unique()
    {
        var duplicates = EventIds.GroupBy(e => e.EventId).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.Method))}");

        Assert.That(EventIds, Is.Not.Empty, "No [LoggerMessage] methods found on Log.");
        Assert.That(duplicates, Is.Empty);
    }

    [Test]
    public void Log_event_ids_are_in_the_core_package_range()
    {
        var outside = EventIds.Where(e => e.EventId is < 1000 or > 1999).Select(e => $"{e.Method}: {e.EventId}");

        Assert.That(EventIds, Is.Not.Empty, "No [LoggerMessage] methods found on Log.");
        Assert.That(outside, Is.Empty);
    }
}
