using System.Reflection;

namespace CodeAssist.Tests.Testing;

/// <summary>Every test class can be selected by its category, so a new class cannot forget its trait.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class TestCategoryTests
{
    [Fact]
    public void EveryTestClassCarriesExactlyOneCategoryFromTheKnownSet()
    {
        var testClasses = typeof(TestCategoryTests).Assembly.GetTypes()
            .Where(type => type.IsClass && !type.IsAbstract && type.GetMethods().Any(method => method.IsDefined(typeof(FactAttribute), inherit: true)))
            .ToList();
        Assert.True(testClasses.Count > 50, $"only {testClasses.Count} test classes found");

        var wrong = testClasses
            .Select(type => (type.FullName, Categories: Categories(type)))
            .Where(c => c.Categories.Count != 1 || !TestCategory.All.Contains(c.Categories[0]))
            .Select(c => $"{c.FullName}: [{string.Join(", ", c.Categories)}]")
            .ToList();
        Assert.True(wrong.Count == 0, $"each test class needs exactly one [Trait(\"{TestCategory.Name}\", …)] of {string.Join(", ", TestCategory.All)}:\n{string.Join("\n", wrong)}");
    }

    [Fact]
    public void TheCheckSeesACategoryAndOnlyOne()
    {
        Assert.Equal([TestCategory.Unit], Categories(typeof(TestCategoryTests)));
        Assert.Empty(Categories(typeof(Uncategorized)));
        Assert.Equal([TestCategory.Model, TestCategory.Unit], Categories(typeof(TwoCategories)).Order(StringComparer.Ordinal));
    }

    private static List<string> Categories(Type type) =>
        [.. type.GetCustomAttributesData()
            .Where(attribute => attribute.AttributeType == typeof(TraitAttribute)
                && attribute.ConstructorArguments is [{ Value: TestCategory.Name }, { Value: string }])
            .Select(attribute => (string)attribute.ConstructorArguments[1].Value!)];

    // Stand-ins for the check itself: they have no test methods, so the assembly-wide check does not see them.
    private sealed class Uncategorized;

    [Trait(TestCategory.Name, TestCategory.Unit)]
    [Trait(TestCategory.Name, TestCategory.Model)]
    private sealed class TwoCategories;
}
