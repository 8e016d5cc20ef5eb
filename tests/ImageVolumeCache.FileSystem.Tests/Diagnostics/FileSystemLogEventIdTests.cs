namespace ImageVolumeCache.FileSystem.Tests.Diagnostics;

/// <summary>The file-system package's log event ids are stable: unique, and in its own range (4000-4999).</summary>
public sealed class FileSystemLogEventIdTests : LogEventIdConventions
{
    protected override Type LogClass => typeof(ImageVolumeCache.FileSystem.Diagnostics.Log);

    protected override int RangeStart => 4000;
}
