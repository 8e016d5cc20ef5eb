using System.Reflection;

namespace ImageVolumeCache.TestUtils;

/// <summary>
/// House rules for the public surface of a shipped package, checked by reflection. Each package's test project subclasses
/// it in one line, naming the assemblies of its package.
/// </summary>
public abstract class PublicApiConventions
{
    private static readonly string[] AllowedNamespaces = ["ImageVolumeCache", "ImageVolumeCache.FileSystem", "ImageVolumeCache.Glance", "ImageVolumeCache.PostgreSql", "ImageVolumeCache.Sqlite", "ImageVolumeCache.Testing", "Microsoft.Extensions.DependencyInjection", "OpenTelemetry.Metrics", "OpenTelemetry.Trace"];

    /// <summary>The shipped assemblies of the package under test.</summary>
    protected abstract IEnumerable<Assembly> PackageAssemblies { get; }

    [Test]
    public void Public_concrete_classes_are_sealed()
    {
        var unsealed = PublicTypes().Where(t => t.IsClass && !t.IsAbstract && !t.IsSealed).Select(t => t.FullName);

        Assert.That(PublicTypes(), Is.Not.Empty);
        Assert.That(unsealed, Is.Empty);
    }

    [Test]
    public void Public_types_live_only_in_the_intended_namespaces()
    {
        var misplaced = PublicTypes().Where(t => !AllowedNamespaces.Contains(t.Namespace)).Select(t => t.FullName);

        Assert.That(misplaced, Is.Empty);
    }

    [Test]
    public void Public_async_methods_take_a_cancellation_token()
    {
        var offenders = PublicTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => !m.IsSpecialName && IsAwaitable(m.ReturnType) && !IsDisposeAsync(m) && !IsRunByTestFramework(m))
            .Where(m => !m.GetParameters().Any(p => p.ParameterType == typeof(CancellationToken)))
            .Select(m => $"{m.DeclaringType!.FullName}.{m.Name}");

        Assert.That(offenders, Is.Empty);
    }

    /// <summary>Whether a method returning <paramref name="type"/> is awaited: the check above looks at those methods only.</summary>
    public static bool IsAwaitable(Type type) =>
        type == typeof(Task) || type == typeof(ValueTask)
        || (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>)));

    private IEnumerable<Type> PublicTypes() => PackageAssemblies.SelectMany(a => a.GetTypes()).Where(t => t.IsVisible);

    // Contract suites' tests and their set-up and tear-down are called by NUnit, which passes no token.
    private static bool IsRunByTestFramework(MethodInfo method) =>
        method.GetCustomAttributes().Any(a => a is TestAttribute or TestCaseSourceAttribute or TestCaseAttribute or SetUpAttribute or TearDownAttribute);

    // IAsyncDisposable.DisposeAsync takes no token by design.
    private static bool IsDisposeAsync(MethodInfo method) => method.Name == nameof(IAsyncDisposable.DisposeAsync) && method.GetParameters().Length == 0;
}
