using CodeAssist.Server.Completion;
using CodeAssist.Server.Python;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Completion;

/// <summary>The missing-import stage: on an import line, the import of the names the document reads, binds nowhere, and a workspace module defines.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class MissingImportTests
{
    // The document reads isatty, WIN and Context; it imports Context already.
    private const string Above = "import os\nfrom .core import Context\n";
    private const string Below = "\n\ndef show(stream):\n    if isatty(stream) and not WIN:\n        return Context(os.getcwd())\n    return __file__\n";

    /// <summary>The package as the document at <c>pkg/termui.py</c> sees it: its <c>__init__</c> (which only re-exports), <c>.compat</c>, <c>.core</c>.</summary>
    private static ModuleNames Package(string core = "class Context:\n    pass\n") => new(new Dictionary<string, ModuleNames.Module>(StringComparer.Ordinal)
    {
        ["."] = ModuleNames.Read("from .compat import isatty, WIN\n", ["compat", "core"], ["isatty", "WIN"], []),
        [".compat"] = ModuleNames.Read("import sys\n\nWIN = sys.platform == 'win32'\n\n\ndef isatty(stream):\n    return stream.isatty()\n", [], ["sys", "WIN", "isatty"], ["WIN", "isatty"]),
        [".core"] = ModuleNames.Read(core, [], null),
    });

    [Fact]
    public void AnEmptyLineAmongTheImportsGetsTheImportOfWhatTheFileReadsAndBindsNowhere()
    {
        // Constants first, then the rest (isort's order); the __init__ that only passes them on is not their module.
        Assert.Equal("from .compat import WIN, isatty", MissingImport.Suggest(Above, Below, Package()));
    }

    [Theory]
    [InlineData("f", "rom .compat import WIN, isatty")]
    [InlineData("from .c", "ompat import WIN, isatty")]
    [InlineData("from .core", null)] // the start typed is not the line
    [InlineData("    ", null)] // indented: not the import block
    [InlineData("x = ", null)]
    public void WhatIsTypedMustBeTheLinesStart(string typed, string? rest)
    {
        Assert.Equal(rest, MissingImport.Suggest(Above + typed, Below, Package()));
    }

    [Fact]
    public void NothingWhereTheLineIsNotAnImportBesideAnother()
    {
        Assert.Null(MissingImport.Suggest(Above, "x = 1\n" + Below, Package())); // text after the cursor
        Assert.Null(MissingImport.Suggest(Above + "\n\ndef f():\n    pass\n\n", Below, Package())); // far from the imports
        Assert.Null(MissingImport.Suggest("from .helpers import *\n" + Above, Below, Package())); // a star import may bind them
        Assert.Null(MissingImport.Suggest(Above, Below, ModuleNames.None));
    }

    [Fact]
    public void ANameTwoModulesDefineIsImportedOnlyFromTheOneTheFileAlreadyUses()
    {
        // .core defines isatty too: ambiguous, unless the document imports from one of them already (it does: .core).
        var both = Package("class Context:\n    pass\n\n\ndef isatty(x):\n    return False\n");
        Assert.Equal("from .core import isatty", MissingImport.Suggest(Above, Below.Replace("not WIN", "True", StringComparison.Ordinal), both));
        Assert.Null(MissingImport.Suggest("import os\n", Below.Replace("not WIN", "True", StringComparison.Ordinal).Replace("Context(os.getcwd())", "os.getcwd()", StringComparison.Ordinal), both));
    }

    [Fact]
    public void AFileThatImportsAbsolutelyIsNotOfferedARelativeImport()
    {
        var absolute = new ModuleNames(new Dictionary<string, ModuleNames.Module>(StringComparer.Ordinal)
        {
            [".compat"] = ModuleNames.Read("def isatty(stream):\n    return True\n", []),
            ["pkg.compat"] = ModuleNames.Read("def isatty(stream):\n    return True\n", []),
        });
        const string below = "\n\ndef show(stream):\n    return isatty(stream)\n";
        Assert.Equal("from pkg.compat import isatty", MissingImport.Suggest("import os\n", below, absolute));
    }
}
