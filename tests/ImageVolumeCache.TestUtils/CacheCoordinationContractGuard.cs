using ImageVolumeCache.Testing;

namespace ImageVolumeCache.TestUtils;

/// <summary>
/// Fails when a public <see cref="ICacheCoordination"/> of the package under test (a store that coordinates) ships
/// without a subclass of <see cref="CacheCoordinationContractTests{TCoordination}"/> in the test assembly. Each test
/// project of a package with coordinating stores subclasses it in one line; the package is the assembly named like the
/// test assembly without <c>.Tests</c>.
/// </summary>
public abstract class CacheCoordinationContractGuard
{
    [Test]
    public void Every_cache_coordination_has_a_contract_fixture()
    {
        var testAssembly = GetType().Assembly;
        string tested = ContractCoverage.PackageUnderTest(testAssembly);
        HashSet<Type> covered = ContractCoverage.CoveredTypes(testAssembly, typeof(CacheCoordinationContractTests<>));

        List<Type> coordinations = ContractCoverage.Implementations(typeof(ICacheCoordination), name => name == tested, publicOnly: true);

        Assert.That(coordinations, Is.Not.Empty, "The scan found no coordination: it no longer sees the package under test.");
        Assert.That(coordinations.Where(c => !covered.Contains(c)).Select(c => c.FullName), Is.Empty,
            "Each public ICacheCoordination needs a one-line subclass of CacheCoordinationContractTests<TCoordination> in this test assembly.");
    }
}
