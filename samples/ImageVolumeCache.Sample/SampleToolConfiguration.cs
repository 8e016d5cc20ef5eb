using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace ImageVolumeCache.Sample;

/// <summary>
/// Writes <c>ivc.json</c> into the data folder: what the operator tool, ivc, needs to open this sample's cache as the
/// sample configured it (its <c>ImageVolumeCache</c> section, with any command-line values) and what the sample wires in
/// code (the store, the file-system backend, the folder of images), so that <c>ivc stats --config DATA-DIR/ivc.json</c>
/// shows the cache the run left. Not written for the in-memory store, which is gone when the run ends.
/// </summary>
internal static class SampleToolConfiguration
{
    public static void Write(SampleOptions options, IConfigurationSection cacheSection)
    {
        if (options.StoresInMemory)
        {
            return;
        }

        var store = new JsonObject();
        if (options.StoresInPostgreSql)
        {
            store["PostgreSql"] = options.StoreConnection;
        }
        else
        {
            store["Sqlite"] = options.StoreFilePath;
        }

        var settings = new JsonObject
        {
            [cacheSection.Key] = Copy(cacheSection),
            ["ImageVolumeCacheTool"] = new JsonObject
            {
                ["Store"] = store,
                ["FileSystemBackends"] = new JsonObject { [SampleOptions.Backend] = options.VolumesDirectory },
                ["ImageFolder"] = options.ImagesDirectory,
            },
        };
        // Readable by its user only: with --store postgres it holds the connection string, password and all.
        string path = Path.Combine(options.DataDirectory, SampleDataFolder.ToolConfigurationFileName);
        File.WriteAllText(path, settings.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    /// <summary>A configuration section as JSON: its values as strings, which the configuration binder reads as the section did.</summary>
    private static JsonObject Copy(IConfigurationSection section)
    {
        var json = new JsonObject();
        foreach (IConfigurationSection child in section.GetChildren())
        {
            json[child.Key] = child.GetChildren().Any() ? Copy(child) : JsonValue.Create(child.Value);
        }

        return json;
    }
}
