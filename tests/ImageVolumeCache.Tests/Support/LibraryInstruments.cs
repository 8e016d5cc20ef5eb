using System.Diagnostics.Metrics;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace ImageVolumeCache.Tests.Support;

/// <summary>Every instrument the library creates, as a listener sees it when it starts, and the names its constants give.</summary>
internal static class LibraryInstruments
{
    /// <summary>The instruments of a harness's meter: made when the cache and the pipeline are, read by a <see cref="MeterListener"/>.</summary>
    public static IReadOnlyList<Instrument> Created(CacheHarness harness)
    {
        // Resolving the pipeline makes the metrics and with them every instrument.
        _ = harness.Services.GetRequiredService<CreateFromImagePipeline>();
        var instruments = new List<Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == ImageVolumeCacheDiagnostics.MeterName && ReferenceEquals(instrument.Meter.Scope, harness.MeterFactory))
                {
                    instruments.Add(instrument);
                }
            },
        };
        listener.Start();
        return instruments;
    }

    /// <summary>The values of the public constants of <see cref="ImageVolumeCacheDiagnostics"/> that name an instrument.</summary>
    public static IEnumerable<string> NamedByConstants() =>
        typeof(ImageVolumeCacheDiagnostics).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Where(name => name.StartsWith("imagevolumecache.", StringComparison.Ordinal));
}
