using System.Text.Json;
using System.Text.Json.Serialization;

namespace ImageVolumeCache.Cli.Output;

/// <summary>The <c>--json</c> output: one indented JSON document on standard output, camelCase names, enums as strings.</summary>
internal static class ToolJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static Task WriteAsync<T>(TextWriter output, T value) => output.WriteLineAsync(JsonSerializer.Serialize(value, Options));
}
