using System.Reflection;

namespace ImageVolumeCache.Glance.Tests.Conventions;

public sealed class PublicApiConventionTests : PublicApiConventions
{
    protected override IEnumerable<Assembly> PackageAssemblies => [typeof(GlanceImageServiceOptions).Assembly];
}
