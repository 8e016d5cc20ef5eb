using System.Reflection;

namespace ImageVolumeCache.Sqlite.Tests.Conventions;

public sealed class PublicApiConventionTests : PublicApiConventions
{
    protected override IEnumerable<Assembly> PackageAssemblies => [typeof(SqliteCacheEntryStore).Assembly];
}
