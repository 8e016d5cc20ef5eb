using System.Reflection;

using ImageVolumeCache.Testing;

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
        Assembly testAssembly = typeof(CacheEntryStoreContractCoverageTests).Assembly;
        var covered = testAssembly.GetTypes()
            .Where(t => !t.IsAbstract)
            .Select(ContractStoreType)
            .OfType<Type>()
            .ToHashSet();

        var stores = LibraryAssemblies()
            .SelectMany(LoadableTypes)
            .Where(t => t.IsClass && !t.IsAbstract && !t.ContainsGenericParameters && typeof(ICacheEntryStore).IsAssignableFrom(t))
            .ToList();

        Assert.That(stores, Is.Not.Empty, "The scan found no stores: it no longer sees the package under test.");
        Assert.That(stores.Where(s => !covered.Contains(s)).Select(s => s.FullName), Is.Empty,
            "Each store needs a one-line subclass of CacheEntryStoreContractTests<TStore> in this test assembly.");
    }

    /// <summary>The store type a fixture runs the contract against, or <see langword="null"/> when it is not a contract fixture.</summary>
    private static Type? ContractStoreType(Type fixture)
    {
        for (Type? t = fixture.BaseType; t is not null; t = t.BaseType)
        {
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(CacheEntryStoreContractTests<>))
            {
                return t.GetGenericArguments()[0];
            }
        }

        return null;
    }

    /// <summary>
    /// The package under test (the test assembly's name without <c>.Tests</c>), loaded from beside the tests when the
    /// tests have not touched it yet.
    /// </summary>
    private static IEnumerable<Assembly> LibraryAssemblies()
    {
        string tested = typeof(CacheEntryStoreContractCoverageTests).Assembly.GetName().Name![..^".Tests".Length];
        foreach (string path in Directory.EnumerateFiles(TestContext.CurrentContext.TestDirectory, "ImageVolumeCache*.dll"))
        {
            try
            {
                Assembly.Load(AssemblyName.GetAssemblyName(path));
            }
            catch (BadImageFormatException)
            {
                // Not a managed assembly; nothing to scan.
            }
        }

        return AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => !a.IsDynamic && a.GetName().Name is { } name
                && name == tested)
            .Distinct();
    }

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            return ex.Types.OfType<Type>();
        }
    }
}
