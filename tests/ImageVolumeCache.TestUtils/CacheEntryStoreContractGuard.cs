using ImageVolumeCache.Testing;

namespace ImageVolumeCache.TestUtils;

/// <summary>
/// Fails when a store of the package under test ships without a subclass of <see cref="CacheEntryStoreContractTests{TStore}"/>
/// in the test assembly. Each test project of a package with stores subclasses it in one line; the package is the
/// assembly named like the test assembly without <c>.Tests</c>.
/// </summary>
public abstract class CacheEntryStoreContractGuard
{
    [Test]
    public void Every_cache_entry_store_has_a_contract_fixture()
    {
        var testAssembly = GetType().Assembly;
        string tested = ContractCoverage.PackageUnderTest(testAssembly);
        HashSet<Type> covered = ContractCoverage.CoveredTypes(testAssembly, typeof(CacheEntryStoreContractTests<>));

        List<Type> stores = ContractCoverage.Implementations(typeof(ICacheEntryStore), name => name == tested, publicOnly: false);

        Assert.That(stores, Is.Not.Empty, "The scan found no stores: it no longer sees the package under test.");
        Assert.That(stores.Where(s => !covered.Contains(s)).Select(s => s.FullName), Is.Empty,
            "Each store needs a one-line subclass of CacheEntryStoreContractTests<TStore> in this test assembly.");
    }
}
