using System.Reflection;
using ImageVolumeCache.FileSystem;
using ImageVolumeCache.Testing;

namespace ImageVolumeCache.Tests.Drivers;

/// <summary>Fails when a volume driver ships without a subclass of <see cref="VolumeDriverContractTests{TDriver}"/>.</summary>
public sealed class VolumeDriverContractCoverageTests
{
    [Test]
    public void Every_volume_driver_has_a_contract_fixture()
    {
        var covered = typeof(VolumeDriverContractCoverageTests).Assembly.GetTypes()
            .Where(t => !t.IsAbstract)
            .Select(ContractDriverType)
            .OfType<Type>()
            .ToHashSet();

        var drivers = LibraryAssemblies()
            .SelectMany(LoadableTypes)
            .Where(t => t.IsClass && t.IsVisible && !t.IsAbstract && !t.ContainsGenericParameters && typeof(IVolumeDriver).IsAssignableFrom(t))
            .ToList();

        Assert.That(drivers, Does.Contain(typeof(InMemoryVolumeDriver)).And.Contain(typeof(FileSystemVolumeDriver)),
            "The scan no longer sees the library assemblies.");
        Assert.That(drivers.Where(d => !covered.Contains(d)).Select(d => d.FullName), Is.Empty,
            "Each public IVolumeDriver needs a subclass of VolumeDriverContractTests<TDriver> in this test assembly.");
    }

    /// <summary>The driver type a fixture runs the contract against, or <see langword="null"/> when it is not a contract fixture.</summary>
    private static Type? ContractDriverType(Type fixture)
    {
        for (Type? t = fixture.BaseType; t is not null; t = t.BaseType)
        {
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(VolumeDriverContractTests<>))
            {
                return t.GetGenericArguments()[0];
            }
        }

        return null;
    }

    /// <summary>
    /// The ImageVolumeCache assemblies referenced by, loaded in or sitting beside this test assembly (a package the tests
    /// reference but have not touched yet is not loaded), except test assemblies.
    /// </summary>
    private static IEnumerable<Assembly> LibraryAssemblies()
    {
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
                && (name == "ImageVolumeCache" || name.StartsWith("ImageVolumeCache.", StringComparison.Ordinal))
                && !name.EndsWith(".Tests", StringComparison.Ordinal)
                && !name.EndsWith(".Benchmarks", StringComparison.Ordinal))
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
