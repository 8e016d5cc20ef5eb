using System.Reflection;

namespace ImageVolumeCache.Tests.Conventions;

/// <summary>Guards on the test suite itself, so that a test cannot silently stop running.</summary>
public sealed class TestConventionsTests
{
    [Test]
    public void Every_public_method_named_as_a_sentence_in_a_fixture_is_a_test()
    {
        var missing = typeof(TestConventionsTests).Assembly.GetTypes()
            .Where(t => t.IsClass && t.IsPublic)
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(m => m.Name.Contains('_', StringComparison.Ordinal) && !m.IsSpecialName)
            .Where(m => m.GetCustomAttributes().All(a => a is not TestAttribute and not TestCaseAttribute and not TestCaseSourceAttribute))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .ToList();

        Assert.That(missing, Is.Empty, "public methods named like tests but without [Test]");
    }
}
