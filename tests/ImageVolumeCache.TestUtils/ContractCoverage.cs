using System.Reflection;

namespace ImageVolumeCache.TestUtils;

/// <summary>
/// What the contract-coverage guards share: which types a test assembly's fixtures run a contract suite against, and
/// which implementations of an abstraction the library assemblies beside the tests hold. Each test project runs the
/// guards (<see cref="VolumeDriverContractGuard"/>, <see cref="CacheEntryStoreContractGuard"/>,
/// <see cref="CacheCoordinationContractGuard"/>) on its own package.
/// </summary>
public static class ContractCoverage
{
    /// <summary>The package a test assembly tests: its name without <c>.Tests</c>.</summary>
    public static string PackageUnderTest(Assembly tests) => tests.GetName().Name![..^".Tests".Length];

    /// <summary>The type arguments of the non-abstract subclasses of <paramref name="openContract"/> in <paramref name="tests"/>.</summary>
    public static HashSet<Type> CoveredTypes(Assembly tests, Type openContract) =>
        tests.GetTypes()
            .Where(t => !t.IsAbstract)
            .Select(t => ContractArgument(t, openContract))
            .OfType<Type>()
            .ToHashSet();

    /// <summary>The concrete classes implementing <paramref name="abstraction"/> in the ImageVolumeCache assemblies whose names pass <paramref name="include"/>.</summary>
    public static List<Type> Implementations(Type abstraction, Func<string, bool> include, bool publicOnly) =>
        LibraryAssemblies(include)
            .SelectMany(LoadableTypes)
            .Where(t => t.IsClass && !t.IsAbstract && !t.ContainsGenericParameters && (!publicOnly || t.IsVisible)
                && abstraction.IsAssignableFrom(t))
            .ToList();

    private static Type? ContractArgument(Type fixture, Type openContract)
    {
        for (Type? t = fixture.BaseType; t is not null; t = t.BaseType)
        {
            if (t.IsGenericType && t.GetGenericTypeDefinition() == openContract)
            {
                return t.GetGenericArguments()[0];
            }
        }

        return null;
    }

    /// <summary>
    /// The ImageVolumeCache assemblies sitting beside the test assembly whose names pass <paramref name="include"/>,
    /// loaded first (a package the tests reference but have not touched yet is not loaded).
    /// </summary>
    private static IEnumerable<Assembly> LibraryAssemblies(Func<string, bool> include)
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
                && include(name))
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
