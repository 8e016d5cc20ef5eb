namespace ImageVolumeCache.Cli.Configuration;

/// <summary>A usage error found before anything is changed: its message names the option or configuration key and the value.</summary>
internal sealed class ToolUsageException(string message) : Exception(message);
