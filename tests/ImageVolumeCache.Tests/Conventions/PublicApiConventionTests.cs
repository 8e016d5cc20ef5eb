using System.Reflection;
using ImageVolumeCache.FileSystem;
using ImageVolumeCache.Sqlite;
using ImageVolumeCache.Testing;

namespace ImageVolumeCache.Tests.Conventions;

/// <summary>House rules for the public surface of the shipped assemblies, checked by reflection.</summary>
public sealed class PublicApiConventionTests
{
    private static readonly string[] AllowedNamespaces = ["ImageVolumeCache", "ImageVolumeCache.FileSystem", "ImageVolumeCache.Sqlite", "ImageVolumeCache.Testing", "Microsoft.Extensions.DependencyInjection"];

    private static IEnumerable<Type> PublicTypes() =>
        new[] { typeof(ImageCacheEntry).Assembly, typeof(InMemoryVolumeDriver).Assembly, typeof(FileSystemVolumeDriver).Assembly, typeof(SqliteCacheEntryStore).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => t.IsVisible);

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

    [Test]
    public void Async_method_check_recognises_every_awaitable_return_type()
    {
        Type[] awaitable = [typeof(Task), typeof(Task<int>), typeof(ValueTask), typeof(ValueTask<string>)];

        Assert.That(awaitable, Is.All.Matches<Type>(IsAwaitable));
        Assert.That(IsAwaitable(typeof(int)), Is.False);
    }

    private static bool IsAwaitable(Type type) =>
        type == typeof(Task) || type == typeof(ValueTask)
        || (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>)));

    // Contract suites' tests and their set-up and tear-down are called by NUnit, which passes no token.
    private static bool IsRunByTestFramework(MethodInfo method) =>
        method.GetCustomAttributes().Any(a => a is TestAttribute or TestCaseSourceAttribute or TestCaseAttribute or SetUpAttribute or TearDownAttribute);

    // IAsyncDisposable.DisposeAsync takes no token by design.
    private static bool IsDisposeAsync(MethodInfo method) => method.Name == nameof(IAsyncDisposable.DisposeAsync) && method.GetParameters().Length == 0;
}
