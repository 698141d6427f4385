using CodeAssist.Server.Completion;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Completion;

/// <summary>The names check: a candidate may read only names the document, the candidate or Python binds.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class NameCheckTests
{
    private const string Loop = "import os\nfor name in os.listdir(\".\"):\n    ";

    [Fact]
    public void AnUnboundNameIsRejectedAndTheStartBeforeItKept()
    {
        var check = CandidateCheck.Check(Loop, "print(path)", string.Empty);
        Assert.Equal("names: 'path' is not bound", check.Rejection);
        Assert.Equal("print(", check.Kept);
        Assert.Null(CandidateCheck.Reject(Loop, "print(name)", string.Empty));
    }

    [Fact]
    public void AMultiLineCandidateKeepsTheWholeLinesBeforeTheUnboundName()
    {
        var check = CandidateCheck.Check(Loop, "size = len(name)\n    print(path, size)", "\n");
        Assert.Equal("names: 'path' is not bound", check.Rejection);
        Assert.Equal("size = len(name)", check.Kept);
    }

    [Fact]
    public void AStandardLibraryModuleMustHaveTheAttribute()
    {
        var check = CandidateCheck.Check(Loop, "os.lisdir(\".\")", string.Empty);
        Assert.Equal("names: module 'os' has no attribute 'lisdir'", check.Rejection);
        Assert.Equal("os", check.Kept); // cut before the dot
        const string paths = "import os\na = 'x'\nb = 'y'\n";
        Assert.Null(CandidateCheck.Reject(paths, "print(os.path.join(a, b))", string.Empty));
        Assert.Equal("names: module 'os.path' has no attribute 'joint'", CandidateCheck.Reject(paths, "print(os.path.joint(a, b))", string.Empty));
        Assert.Null(CandidateCheck.Reject("import xml.etree.ElementTree as ET\n", "tree = ET.parse('a.xml')", string.Empty));
        Assert.Null(CandidateCheck.Reject("from os import path\n", "path.exists('a')", string.Empty));
    }

    [Fact]
    public void ModulesOutsideTheStandardLibraryAreNotJudged()
    {
        Assert.Null(CandidateCheck.Reject("import numpy as np\n", "x = np.anything(1)", string.Empty));
        Assert.Null(CandidateCheck.Reject("import os\nos = None\n", "os.lisdir('.')", string.Empty));
    }

    [Fact]
    public void SelfAttributesMustBeThoseOfAClassWithoutBases()
    {
        const string plain = "class Box:\n    def __init__(self, size):\n        self.size = size\n\n    def area(self):\n        ";
        Assert.Equal("names: class 'Box' has no attribute 'missing'", CandidateCheck.Reject(plain, "return self.missing", string.Empty));
        Assert.Null(CandidateCheck.Reject(plain, "return self.size * self.area()", string.Empty));
        Assert.Null(CandidateCheck.Reject(plain, "return self.later", "\n\n    def grow(self):\n        self.later = 1\n"));
        Assert.Null(CandidateCheck.Reject(plain.Replace("class Box:", "class Box(Base):", StringComparison.Ordinal), "return self.missing", string.Empty));
        Assert.Null(CandidateCheck.Reject(plain, "return self.missing", "\n\n    def __getattr__(self, name):\n        return 0\n"));
        Assert.Null(CandidateCheck.Reject(plain, "return self.__class__.__name__", string.Empty));
        Assert.Null(CandidateCheck.Reject(plain, "return self.mixed", "\n\nclass Other:\n    mixed = 1\n")); // a mixin's attribute may be its users'
        Assert.Null(CandidateCheck.Reject(plain, "return self.given", "\n\ndef setup(request):\n    request.cls.given = 1\n"));
    }

    [Theory]
    [InlineData("print(name, sep=', ', end='')")] // keyword arguments are no reads
    [InlineData("print(name.upper().strip())")] // attributes of what is not a module are not judged
    [InlineData("print([n for n in name if n])")]
    [InlineData("print(sorted(name, key=lambda c: c.lower()))")]
    [InlineData("if (size := len(name)) > 3: print(size)")]
    [InlineData("with open(name) as handle: print(handle.read())")]
    [InlineData("first, *rest = name; print(first, rest)")]
    [InlineData("print(len(name), Exception, __name__, __file__)")]
    [InlineData("print(f\"{name!r:>{len(name)}} {name=}\")")]
    [InlineData("print('path' + name)  # path")] // strings and comments are no reads
    [InlineData("match name:")] // a soft keyword
    [InlineData("import sys; print(sys.argv)")]
    public void NamesTheCandidateOrPythonBindsPass(string candidate) =>
        Assert.Null(CandidateCheck.Reject(Loop, candidate, string.Empty));

    [Fact]
    public void AForTargetWhoseInIsOnALaterLineBinds() =>
        Assert.Null(CandidateCheck.Reject("items = {}\npairs = [key\n    ", "for (key, value)", "\n    in items.items()]\n"));

    [Fact]
    public void ExceptAsAndDefinitionsInAMultiLineCandidateBind()
    {
        const string candidate = "try:\n        pass\n    except OSError as error:\n        def show(item, *more):\n            print(item, more, error)";
        Assert.Null(CandidateCheck.Reject(Loop, candidate, string.Empty));
    }

    [Theory]
    [InlineData("print(f\"{path}\")")]
    [InlineData("print(name, path=1, other=path)")]
    [InlineData("print([path for n in name])")]
    public void UnboundReadsAreFoundWhereverTheyAre(string candidate) =>
        Assert.Equal("names: 'path' is not bound", CandidateCheck.Reject(Loop, candidate, string.Empty));

    [Fact]
    public void NamesBoundAnywhereInTheDocumentPass()
    {
        Assert.Null(CandidateCheck.Reject(Loop, "print(helper(name))", "\n\ndef helper(value):\n    return value\n"));
        Assert.Null(CandidateCheck.Reject("def other():\n    local = 1\n\ndef f():\n    ", "return local", string.Empty));
        Assert.Null(CandidateCheck.Reject("try:\n    import json\nexcept ImportError:\n    json = None\n", "print(json)", string.Empty));
    }

    [Fact]
    public void StarImportsBindTheModulesNamesOrCannotBeJudged()
    {
        Assert.Null(CandidateCheck.Reject("from numpy import *\n", "print(array, zeros)", string.Empty));
        Assert.Null(CandidateCheck.Reject("from os.path import *\n", "print(join('a', 'b'))", string.Empty));
        Assert.Equal("names: 'nothere' is not bound", CandidateCheck.Reject("from os.path import *\n", "print(nothere)", string.Empty));
    }

    [Fact]
    public void AModuleThatWritesItsGlobalsByNameCannotBeJudged()
    {
        Assert.Null(CandidateCheck.Reject("globals().update(codes)\n", "print(CONTINUE)", string.Empty));
        Assert.Null(CandidateCheck.Reject("names = globals()\nnames['CO_X'] = 1\n", "print(CO_X)", string.Empty));
        Assert.NotNull(CandidateCheck.Reject("if globals().get('x'):\n    pass\n", "print(CO_X)", string.Empty)); // a read of globals writes nothing
        Assert.Null(CandidateCheck.Reject("import os\n", "mode = os.O_BINARY", string.Empty)); // Windows only: not in Linux's table
    }

    [Fact]
    public void ADocumentThatDoesNotTokenizeIsReadAroundTheBadLine()
    {
        const string prefix = "value = 1\nbroken = 'abc\nother = 2\n";
        Assert.Null(CandidateCheck.Reject(prefix, "print(value, other)", string.Empty));
        Assert.Null(CandidateCheck.Reject("x = (\n", "later", "\nlater = 1\nprint(later)\n"));
    }
}
