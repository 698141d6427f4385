using CodeAssist.Server.Python;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Python;

/// <summary>The shipped table of the standard library's names loads and has what the names check relies on.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class StandardLibraryTests
{
    [Theory]
    [InlineData("os", "listdir")]
    [InlineData("os", "path")]
    [InlineData("os.path", "join")]
    [InlineData("collections", "OrderedDict")]
    [InlineData("xml.etree.ElementTree", "parse")]
    [InlineData("concurrent.futures", "ThreadPoolExecutor")]
    [InlineData("builtins", "print")]
    public void TheTableHasTheName(string module, string name) =>
        Assert.Contains(name, (IReadOnlySet<string>?)StandardLibrary.Names(module) ?? new HashSet<string>());

    [Fact]
    public void TheTableHasTheModulesAndNothingPrivate()
    {
        Assert.True(StandardLibrary.ModuleCount > 300, $"only {StandardLibrary.ModuleCount} modules");
        Assert.Contains("len", (IReadOnlySet<string>)StandardLibrary.Builtins);
        Assert.True(StandardLibrary.IsModule("email.mime.text"));
        Assert.False(StandardLibrary.IsModule("numpy"));
        Assert.False(StandardLibrary.IsModule("_thread"));
        Assert.Null(StandardLibrary.Names("antigravity"));
    }
}
