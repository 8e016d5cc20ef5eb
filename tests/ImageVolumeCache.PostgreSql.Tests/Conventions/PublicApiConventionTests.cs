using System.Reflection;

namespace ImageVolumeCache.PostgreSql.Tests.Conventions;

public sealed class PublicApiConventionTests : PublicApiConventions
{
    protected override IEnumerable<Assembly> PackageAssemblies => [typeof(PostgreSqlCacheEntryStore).Assembly];
}
