using System.Collections.Frozen;
using CodeAssist.Server.Completion;
using CodeAssist.Server.Python;
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

    /// <summary>The e2e file: <c>path</c> and <c>handle</c> belong to <c>read_lines</c>; the cursor is in <c>main</c>'s loop.</summary>
    private const string TwoFunctions =
        "import os\n\n\ndef read_lines(path):\n    with open(path) as handle:\n        return handle.read().splitlines()\n\n\ndef main():\n    for name in os.listdir(\".\"):\n        ";

    [Fact]
    public void AnotherFunctionsParameterOrLocalIsNotBoundWhereTheCursorIs()
    {
        Assert.Equal("names: 'path' is not bound here (only in read_lines)", CandidateCheck.Reject(TwoFunctions, "print(path)", "\n"));
        Assert.Equal("names: 'handle' is not bound here (only in read_lines)", CandidateCheck.Reject(TwoFunctions, "x = handle", "\n"));
        Assert.Null(CandidateCheck.Reject(TwoFunctions, "print(name)", "\n"));
        Assert.Null(CandidateCheck.Reject(TwoFunctions, "print(read_lines(name))", "\n")); // the function itself is the module's
        // Typed into an open call (the document does not tokenize whole), as in VS Code after "print(".
        Assert.Equal("names: 'path' is not bound here (only in read_lines)", CandidateCheck.Reject(TwoFunctions + "print(", "path)", "\n"));
        Assert.Null(CandidateCheck.Reject(TwoFunctions + "print(", "name)", "\n"));
        // A line being typed binds for itself: its own loop variable is visible.
        Assert.Null(CandidateCheck.Reject(TwoFunctions + "total = sum(len(entry) for entry in ", "os.listdir(entry))", "\n"));
        // Inside read_lines its own names are visible, before or after the cursor.
        Assert.Null(CandidateCheck.Reject("def read_lines(path):\n    ", "print(path)", "\n    handle = 1\n"));
        Assert.Null(CandidateCheck.Reject("def read_lines(path):\n    ", "print(handle)", "\n    handle = 1\n"));
        // A module-level line after both functions sees neither; a blank line after them may still be main's (the
        // candidate may indent), so only what no function around it binds is refused there.
        Assert.Equal("names: 'name' is not bound here (only in main)", CandidateCheck.Reject(TwoFunctions + "pass\n\n\nprint(", "name)", "\n"));
        Assert.Null(CandidateCheck.Reject(TwoFunctions + "pass\n", "        print(name)", "\n"));
        Assert.Equal("names: 'path' is not bound here (only in read_lines)", CandidateCheck.Reject(TwoFunctions + "pass\n", "        print(path)", "\n"));
        // A statement over several lines binds for itself: the parameters of a header being written.
        Assert.Null(CandidateCheck.Reject("class A:\n    def f(self):\n        return 1\n\n    def g(\n        ", "self, days: int", "\n    ) -> None:\n        pass\n"));
    }

    [Fact]
    public void EnclosingFunctionsGlobalsAndClassesAreVisibleAndUnknownScopesPass()
    {
        // A closure reads its enclosing function's locals and parameters.
        Assert.Null(CandidateCheck.Reject("def outer(items):\n    total = 0\n\n    def inner():\n        return ", "total + len(items)", "\n\n    return inner\n"));
        // A name a function declares global is the module's.
        Assert.Null(CandidateCheck.Reject("def setup():\n    global config\n    config = {}\n\n\ndef use():\n    return ", "config", "\n"));
        // A name bound at module level and in a function counts from the module.
        Assert.Null(CandidateCheck.Reject("limit = 3\n\n\ndef f(limit):\n    return limit\n\n\ndef g():\n    return ", "limit", "\n"));
        // Class bodies are judged leniently (their names count as visible).
        Assert.Null(CandidateCheck.Reject("class A:\n    size = 2\n\n    def f(self):\n        return ", "size", "\n"));
        // A one-line function's parameter is its own: not visible on the next line.
        Assert.Equal("names: 'x' is not bound here (only in double)", CandidateCheck.Reject("def double(x): return x * 2\n\n\ny = ", "x", "\n"));
        // When the document does not tokenize whole, which function binds what is unknown: any binding counts.
        Assert.Null(CandidateCheck.Reject("def f(path):\n    return path\n\n\ns = \"unclosed\ndef g():\n    return ", "path", "\n"));
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
        Assert.Equal("os.listdir(\".\")", check.Kept); // mended: the name of os that shares the longest start with it
        Assert.True(check.Mended);
        check = CandidateCheck.Check(Loop, "os.xyzzy(\".\")", string.Empty);
        Assert.Equal("os", check.Kept); // nothing near: cut before the dot
        Assert.False(check.Mended);
        const string paths = "import os\na = 'x'\nb = 'y'\n";
        Assert.Null(CandidateCheck.Reject(paths, "print(os.path.join(a, b))", string.Empty));
        Assert.Equal("names: module 'os.path' has no attribute 'joint'", CandidateCheck.Reject(paths, "print(os.path.joint(a, b))", string.Empty));
        Assert.Null(CandidateCheck.Reject("import xml.etree.ElementTree as ET\n", "tree = ET.parse('a.xml')", string.Empty));
        Assert.Null(CandidateCheck.Reject("from os import path\n", "path.exists('a')", string.Empty));
    }

    [Theory]
    [InlineData("from typing import override", "import typing\n", "typing.override")] // 3.12
    [InlineData("from itertools import batched", "import itertools\n", "itertools.batched")] // 3.12
    [InlineData("from asyncore import dispatcher", "import asyncore\n", "asyncore.dispatcher")] // gone in 3.12
    [InlineData("from copy import replace", "import copy\n", "copy.replace")] // 3.13
    public void ANameOfAnyCurrentPythonPassesNotOnlyThoseOfThePythonThatWroteTheTable(string import, string prefix, string attribute)
    {
        // Not refused, and above all not "mended" to a neighbour (override → overload) for a user of that version.
        Assert.Null(CandidateCheck.Reject(string.Empty, import, string.Empty));
        Assert.Null(CandidateCheck.Reject(prefix, $"x = {attribute}", string.Empty));
        Assert.Null(CandidateCheck.Reject(string.Empty, "x = aiter", string.Empty)); // builtins too (3.10)
    }

    [Fact]
    public void ModulesOutsideTheStandardLibraryAreNotJudged()
    {
        Assert.Null(CandidateCheck.Reject("import numpy as np\n", "x = np.anything(1)", string.Empty));
        Assert.Null(CandidateCheck.Reject("import os\nos = None\n", "os.lisdir('.')", string.Empty));
    }

    /// <summary>A workspace as the check stage sees it from <c>shop/app.py</c>: its sibling <c>models</c>, the package <c>util</c> with a submodule, a dynamic module.</summary>
    private static ModuleNames Shop() => new(new Dictionary<string, ModuleNames.Module>(StringComparer.Ordinal)
    {
        [".models"] = ModuleNames.Read("class Order:\n    def total_with_tax(self):\n        return 1\n\nTAX_RATE = 0.2\nOrderLine = tuple\n", [], ["Order", "TAX_RATE", "OrderLine"]),
        [".util"] = ModuleNames.Read("from .text import slug\n", ["text"]),
        [".util.text"] = ModuleNames.Read("def slug(s):\n    return s\n", []),
        [".dynamic"] = ModuleNames.Read("def __getattr__(name):\n    return name\n", []),
        ["shop.models"] = ModuleNames.Read("class Order:\n    pass\n", []),
    });

    [Fact]
    public void AWorkspaceModuleMustHaveTheAttributeItIsAskedFor()
    {
        var shop = Shop();
        const string imported = "from . import models\nfrom . import util\nimport shop.models as m\n\n";
        var check = CandidateCheck.Check(imported, "order = models.Odr()", string.Empty, shop);
        Assert.Equal("names: module '.models' has no attribute 'Odr'", check.Rejection);
        Assert.Equal("order = models", check.Kept); // nothing shares half of it
        Assert.False(check.Mended);
        Assert.Null(CandidateCheck.Reject(imported, "order = models.Order()", string.Empty, shop));
        Assert.Null(CandidateCheck.Reject(imported, "rate = models.TAX_RATE", string.Empty, shop));
        Assert.Null(CandidateCheck.Reject(imported, "name = models.__name__", string.Empty, shop));
        Assert.Null(CandidateCheck.Reject(imported, "s = util.text.slug('A b')", string.Empty, shop)); // a submodule, then its name
        Assert.Equal("names: module '.util.text' has no attribute 'slugify'", CandidateCheck.Reject(imported, "s = util.text.slugify('A b')", string.Empty, shop));
        Assert.Equal("names: module 'shop.models' has no attribute 'Orders'", CandidateCheck.Reject(imported, "x = m.Orders", string.Empty, shop));
        Assert.Null(CandidateCheck.Reject(imported, "x = models.Ordr()", string.Empty)); // no workspace: not judged
    }

    [Fact]
    public void AMissingNameIsMendedToTheModulesNameThatSharesTheLongestStartWithIt()
    {
        var shop = Shop();
        const string imported = "from . import models\n\n";
        // The model knew the start and invented the end: the end is mended, the rest of the candidate kept.
        var check = CandidateCheck.Check(imported, "line = models.OrderLineItem(1, 2)", string.Empty, shop);
        Assert.Equal("line = models.OrderLine(1, 2)", check.Kept);
        Assert.True(check.Mended);
        // The user typed the name's start: the mended name keeps it, and the candidate only writes the rest.
        Assert.Equal("Line(1, 2)", CandidateCheck.Check(imported + "line = models.Order", "LineItem(1, 2)", string.Empty, shop).Kept);
        // Mended names are checked again: a second missing name with nothing near cuts there.
        check = CandidateCheck.Check(imported, "x = (models.OrderLines, models.Zzz)", string.Empty, shop);
        Assert.Equal("x = (models.OrderLine, models", check.Kept);
        Assert.False(check.Mended);
        // Private names only for a private name; a name is not mended to a local of the module.
        Assert.Null(NameCheck.Nearest("total_with", shop.AttributesOf(".models")));
        Assert.Null(NameCheck.Nearest("Ord", ["_Order"]));
        Assert.Equal("OrderLine", NameCheck.Nearest("OrderLines", ["Order", "OrderLine", "OrderLineItem"]));
        Assert.Equal("BadOptionUsage", NameCheck.Nearest("BadOptionUsageError", ["BadOptionUsage", "BadArgumentUsage", "BadParameter"]));
        Assert.Equal("ContentDecodingError", NameCheck.Nearest("ContentDecodeError", ["ConnectionError", "ContentDecodingError"]));
        Assert.Null(NameCheck.Nearest("ChunkedEncodingError", ["RequestsCookieJar", "cookiejar_from_dict"]));
    }

    [Fact]
    public void WhatTheWorkspaceCannotTellPasses()
    {
        var shop = Shop();
        Assert.Null(CandidateCheck.Reject("from . import dynamic\n", "x = dynamic.anything", string.Empty, shop)); // a module __getattr__
        Assert.Null(CandidateCheck.Reject("from .models import Order\n", "x = Order.anything", string.Empty, shop)); // a class: not a module
        Assert.Null(CandidateCheck.Reject("from . import elsewhere\n", "x = elsewhere.anything", string.Empty, shop)); // not a known module
        Assert.Null(CandidateCheck.Reject("import requests\n", "r = requests.gett('u')", string.Empty, shop)); // third-party
        Assert.Null(CandidateCheck.Reject("from . import models\nmodels = load()\n", "x = models.Ordr", string.Empty, shop)); // rebound
        Assert.Null(CandidateCheck.Reject("from . import models\nfrom .other import models\n", "x = models.Ordr", string.Empty, shop)); // imported twice
    }

    [Fact]
    public void AnImportWrittenByTheCandidateMustNameWhatTheModuleHas()
    {
        var shop = Shop();
        var check = CandidateCheck.Check("import os\n", "from .models import Ordr", string.Empty, shop);
        Assert.Equal("names: cannot import name 'Ordr' from '.models'", check.Rejection);
        Assert.Equal("from .models import Order", check.Kept);
        Assert.Null(CandidateCheck.Reject("import os\n", "from .models import Order, TAX_RATE as rate", string.Empty, shop));
        Assert.Null(CandidateCheck.Reject("import os\nfrom .mod", "els import Order", string.Empty, shop)); // the typed start counts
        Assert.Equal("names: cannot import name 'Ordr' from '.models'", CandidateCheck.Reject("from .models import (\n    Order,\n    ", "Ordr,\n)", string.Empty, shop));
        Assert.Null(CandidateCheck.Reject("from .models import Ordr\n", "x = 1", string.Empty, shop)); // the document's own imports are not the candidate's
        Assert.Null(CandidateCheck.Reject(string.Empty, "from .util import text", string.Empty, shop)); // a submodule
        Assert.Null(CandidateCheck.Reject(string.Empty, "from .elsewhere import Anything", string.Empty, shop));
        Assert.Equal("names: cannot import name 'lisdir' from 'os'", CandidateCheck.Reject(string.Empty, "from os import lisdir", string.Empty));
        Assert.Null(CandidateCheck.Reject(string.Empty, "from os import path, listdir, O_BINARY", string.Empty));
        Assert.Null(CandidateCheck.Reject(string.Empty, "from xml import etree", string.Empty));
        Assert.Null(CandidateCheck.Reject(string.Empty, "from numpy import anything", string.Empty));
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
    public void NamesBoundAnywhereTheCursorSeesPass()
    {
        Assert.Null(CandidateCheck.Reject(Loop, "print(helper(name))", "\n\ndef helper(value):\n    return value\n"));
        Assert.Equal("names: 'local' is not bound here (only in other)", CandidateCheck.Reject("def other():\n    local = 1\n\ndef f():\n    ", "return local", string.Empty));
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
