using System.Reflection;

namespace ImageVolumeCache.FileSystem.Tests.Conventions;

public sealed class PublicApiConventionTests : PublicApiConventions
{
    protected override IEnumerable<Assembly> PackageAssemblies => [typeof(FileSystemVolumeDriver).Assembly];
}
