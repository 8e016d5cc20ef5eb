using System.Reflection;
using Microsoft.Extensions.Logging;

namespace ImageVolumeCache.Glance.Tests.Diagnostics;

/// <summary>The Glance package's log event ids are stable: unique, and in its own range (5000-5999).</summary>
public sealed class GlanceLogEventIdTests
{
    [Test]
    public void Log_event_ids_are_unique_and_in_the_glance_package_range()
    {
        int[] ids = typeof(ImageVolumeCache.Glance.Diagnostics.Log)
            .GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
            .OfType<LoggerMessageAttribute>()
            .Select(a => a.EventId)
            .ToArray();

        Assert.That(ids, Is.Not.Empty);
        Assert.That(ids, Is.Unique);
        Assert.That(ids, Is.All.InRange(5000, 5999));
    }
}
