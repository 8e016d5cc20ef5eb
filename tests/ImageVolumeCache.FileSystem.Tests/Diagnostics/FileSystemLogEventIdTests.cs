using System.Reflection;
using Microsoft.Extensions.Logging;

namespace ImageVolumeCache.FileSystem.Tests.Diagnostics;

/// <summary>The file-system package's log event ids are stable: unique, and in its own range (4000-4999).</summary>
public sealed class FileSystemLogEventIdTests
{
    [Test]
    public void Log_event_ids_are_unique_and_in_the_file_system_package_range()
    {
        int[] ids = typeof(ImageVolumeCache.FileSystem.Diagnostics.Log)
            .GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Select(m => m.GetCustomAttribute<LoggerMessageAttribute>())
            .OfType<LoggerMessageAttribute>()
            .Select(a => a.EventId)
            .ToArray();

        Assert.That(ids, Is.Not.Empty);
        Assert.That(ids, Is.Unique);
        Assert.That(ids, Is.All.InRange(4000, 4999));
    }
}
