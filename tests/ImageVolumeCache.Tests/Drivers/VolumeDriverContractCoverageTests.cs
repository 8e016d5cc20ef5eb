using ImageVolumeCache.FileSystem;
using ImageVolumeCache.Testing;
using ImageVolumeCache.Tests.Support;

namespace ImageVolumeCache.Tests.Drivers;

/// <summary>Fails when a volume driver ships without a subclass of <see cref="VolumeDriverContractTests{TDriver}"/>.</summary>
public sealed class VolumeDriverContractCoverageTests
{
    [Test]
    public void Every_volume_driver_has_a_contract_fixture()
    {
        HashSet<Type> covered = ContractCoverage.CoveredTypes(typeof(VolumeDriverContractCoverageTests).Assembly, typeof(VolumeDriverContractTests<>));

        List<Type> drivers = ContractCoverage.Implementations(
            typeof(IVolumeDriver),
            name => !name.EndsWith(".Tests", StringComparison.Ordinal) && !name.EndsWith(".Benchmarks", StringComparison.Ordinal),
            publicOnly: true);

        Assert.That(drivers, Does.Contain(typeof(InMemoryVolumeDriver)).And.Contain(typeof(FileSystemVolumeDriver)),
            "The scan no longer sees the library assemblies.");
        Assert.That(drivers.Where(d => !covered.Contains(d)).Select(d => d.FullName), Is.Empty,
            "Each public IVolumeDriver needs a subclass of VolumeDriverContractTests<TDriver> in this test assembly.");
    }
}
