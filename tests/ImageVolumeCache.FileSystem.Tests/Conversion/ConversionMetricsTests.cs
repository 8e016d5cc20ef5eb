using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace ImageVolumeCache.FileSystem.Tests.Conversion;

/// <summary>The conversion duration and size histograms, with qcow2 images made by qemu-img.</summary>
public sealed class ConversionMetricsTests : ConversionTestBase
{
    [Test]
    public async Task A_qcow2_miss_records_one_conversion_with_the_raw_disks_size_tagged_with_the_backend_and_format()
    {
        Build();
        AddImage("img", ConvertWithQemu(MakeRawDisk("source.raw", 16, seed: 1, 0, 9), "qcow2", "image.qcow2"), "qcow2");
        using MetricCollector<double> durations = Collect<double>(ImageVolumeCacheDiagnostics.ConversionDuration);
        using MetricCollector<long> sizes = Collect<long>(ImageVolumeCacheDiagnostics.ConversionSize);

        await CreateAsync("vol-1", "img");

        Assert.That(sizes.GetMeasurementSnapshot().Select(m => (m.Value, m.Tags["backend"], m.Tags["format"])), Is.EqualTo(new[] { (16L * MiB, (object?)Backend, (object?)"qcow2") }));
        Assert.That(durations.GetMeasurementSnapshot().Select(m => (m.Tags["backend"], m.Tags["format"])), Is.EqualTo(new[] { ((object?)Backend, (object?)"qcow2") }));
        Assert.That(durations.GetMeasurementSnapshot().Single().Value, Is.Positive);
    }

    [Test]
    public async Task A_hit_on_a_converted_image_records_no_conversion()
    {
        Build();
        AddImage("img", ConvertWithQemu(MakeRawDisk("source.raw", 16, seed: 1, 0), "qcow2", "image.qcow2"), "qcow2");
        await CreateAsync("vol-1", "img");
        using MetricCollector<double> durations = Collect<double>(ImageVolumeCacheDiagnostics.ConversionDuration);

        CreateVolumeFromImageResult hit = await CreateAsync("vol-2", "img");

        Assert.That(hit.Path, Is.EqualTo(CreateFromImagePath.CacheHit));
        Assert.That(durations.GetMeasurementSnapshot(), Is.Empty);
    }

    [Test]
    public async Task A_raw_image_records_a_download_and_no_conversion()
    {
        Build();
        AddImage("img", MakeRawDisk("source.raw", 16, seed: 1, 0), "raw");
        using MetricCollector<double> conversions = Collect<double>(ImageVolumeCacheDiagnostics.ConversionDuration);
        using MetricCollector<long> downloads = Collect<long>(ImageVolumeCacheDiagnostics.DownloadSize);

        await CreateAsync("vol-1", "img");

        Assert.That(conversions.GetMeasurementSnapshot(), Is.Empty);
        Assert.That(downloads.GetMeasurementSnapshot().Select(m => m.Value), Is.EqualTo(new[] { 16L * MiB }));
    }
}
