using ImageVolumeCache.Testing;

namespace ImageVolumeCache.TestUtils;

/// <summary>
/// Fails when a public volume driver of the packages under test ships without a subclass of
/// <see cref="VolumeDriverContractTests{TDriver}"/> in the test assembly. Each test project of a package with drivers
/// subclasses it in one line.
/// </summary>
public abstract class VolumeDriverContractGuard
{
    /// <summary>The packages whose drivers the test assembly covers; by default the one named like it without <c>.Tests</c>.</summary>
    protected virtual IReadOnlyCollection<string> PackagesUnderTest => [ContractCoverage.PackageUnderTest(GetType().Assembly)];

    [Test]
    public void Every_volume_driver_has_a_contract_fixture()
    {
        HashSet<Type> covered = ContractCoverage.CoveredTypes(GetType().Assembly, typeof(VolumeDriverContractTests<>));

        List<Type> drivers = ContractCoverage.Implementations(typeof(IVolumeDriver), PackagesUnderTest.Contains, publicOnly: true);

        Assert.That(drivers, Is.Not.Empty, "The scan found no drivers: it no longer sees the package under test.");
        Assert.That(drivers.Where(d => !covered.Contains(d)).Select(d => d.FullName), Is.Empty,
            "Each public IVolumeDriver needs a subclass of VolumeDriverContractTests<TDriver> in this test assembly.");
    }
}
