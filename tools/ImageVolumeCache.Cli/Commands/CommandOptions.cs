using System.CommandLine;

namespace ImageVolumeCache.Cli.Commands;

/// <summary>The options several commands share.</summary>
internal static class CommandOptions
{
    public static Option<bool> Json() => new("--json") { Description = "Write one JSON document instead of a table, for scripts." };

    public static Option<string> Backend(string description, bool required) =>
        new("--backend") { Description = description, HelpName = "NAME", Required = required };
}
