using ImageVolumeCache.Testing;
using ImageVolumeCache.Tests.Support;

namespace ImageVolumeCache.Tests.Storage;

/// <summary>
/// Fails when a store ships without a subclass of <see cref="CacheEntryStoreContractTests{TStore}"/>. Each test project
/// links this file and checks the package it tests: the assembly named like the test assembly without <c>.Tests</c>.
/// </summary>
public sealed class CacheEntryStoreContractCoverageTests
{
    [Test]
    public void Every_cache_entry_store_has_a_contract_fixture()
    {
        var testAssembly = typeof(CacheEntryStoreContractCoverageTests).Assembly;
        string tested = testAssembly.GetName().Name![..^".Tests".Length];
        HashSet<Type> covered = ContractCoverage.CoveredTypes(testAssembly, typeof(CacheEntryStoreContractTests<>));

        List<Type> stores = ContractCoverage.Implementations(typeof(ICacheEntryStore), name => name == tested, publicOnly: false);

        Assert.That(stores, Is.Not.Empty, "The scan found no stores: it no longer sees the package under test.");
        Assert.That(stores.Where(s => !covered.Contains(s)).Select(s => s.FullName), Is.Empty,
            "Each store needs a one-line subclass of CacheEntryStoreContractTests<TStore> in this test assembly.");
    }
}
