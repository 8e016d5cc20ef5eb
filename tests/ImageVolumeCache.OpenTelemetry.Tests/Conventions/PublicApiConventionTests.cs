using System.Reflection;
using OpenTelemetry.Metrics;

namespace ImageVolumeCache.OpenTelemetry.Tests.Conventions;

public sealed class PublicApiConventionTests : PublicApiConventions
{
    protected override IEnumerable<Assembly> PackageAssemblies => [typeof(ImageVolumeCacheMeterProviderBuilderExtensions).Assembly];
}
