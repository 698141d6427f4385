using CodeAssist.Server.Configuration;
using CodeAssist.Server.Context;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Python;
using CodeAssist.Tests.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace CodeAssist.Tests.Context;

/// <summary>The pieces of the workspace context: imports read, module surfaces, resolution in a real folder, copying from sources.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class WorkspaceContextTests : IDisposable
{
    private const string Models = """
        '''Orders and their money.'''
        import decimal

        TAX_RATE = decimal.Decimal("0.2")


        class Order:
            '''One customer's order.'''

            currency = "EUR"

            def __init__(self, lines, customer):
                self.lines = lines
                self.customer = customer

            def total(self):
                '''The sum of the lines.'''
                return sum(line.price for line in self.lines)

            def total_with_tax(self, rate=TAX_RATE):
                return self.total() * (1 + rate)

            def _audit(self):
                pass


        def make_order(customer, *lines):
            '''Build an order for a customer.'''
            return Order(list(lines), customer)
        """;

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("codeassist-workspace-");

    public void Dispose() => _folder.Delete(recursive: true);

    private string Write(string relative, string text)
    {
        var path = Path.Combine(_folder.FullName, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void ImportsAreReadInEveryFormAndNotFromStringsOrComments()
    {
        var imports = PythonImports.Read("""
            import os, json as j
            import xml.etree.ElementTree as ET
            from .models import Order, make_order as build
            from .. import util
            from pkg.sub import (
                first,  # the first
                second as two,
            )
            from x import *
            text = '''
            import not_an_import
            '''
            # from commented import nothing
            def f():
                from inner import deep
            """);
        Assert.Equal(
            [
                ("os", 0, null, "os"), ("json", 0, null, "j"), ("xml.etree.ElementTree", 0, null, "ET"),
                ("models", 1, "Order", "Order"), ("models", 1, "make_order", "build"), ("", 2, "util", "util"),
                ("pkg.sub", 0, "first", "first"), ("pkg.sub", 0, "second", "two"), ("x", 0, "*", "*"), ("inner", 0, "deep", "deep"),
            ],
            imports.Select(i => (i.Module, i.Level, i.Name, i.Alias)));
    }

    [Fact]
    public void AClassSurfaceHasItsSignaturesDocstringFirstLinesAttributesAndCallsButNoBodies()
    {
        var surface = ModuleSurface.Of(Models);
        var order = surface.Describe("Order", 10_000)!;
        Assert.Contains("class Order:", order, StringComparison.Ordinal);
        Assert.Contains("'''One customer's order.'''", order, StringComparison.Ordinal);
        Assert.Contains("    def total_with_tax(self, rate=TAX_RATE):", order, StringComparison.Ordinal);
        Assert.Contains("    self.total_with_tax(", order, StringComparison.Ordinal);
        Assert.Contains("        self.customer = customer", order, StringComparison.Ordinal);
        Assert.Contains("    currency = \"EUR\"", order, StringComparison.Ordinal);
        Assert.DoesNotContain("return", order, StringComparison.Ordinal);
        Assert.DoesNotContain("self._audit(", order, StringComparison.Ordinal);

        Assert.Equal("TAX_RATE = decimal.Decimal(\"0.2\")\n", surface.Describe("TAX_RATE", 10_000));
        Assert.StartsWith("def make_order(customer, *lines):\n    '''Build an order for a customer.'''\n", surface.Describe("make_order", 10_000), StringComparison.Ordinal);
        Assert.Null(surface.Describe("decimal", 10_000));
        Assert.True(surface.DescribeAll(120).Length <= 120);
    }

    [Fact]
    public async Task ImportedNamesResolveToTheirDefinitionsInTheWorkspaceThroughPackagesAndReexports()
    {
        Write("shop/models.py", Models);
        Write("shop/__init__.py", "from .models import make_order\n");
        Write("shop/pricing/rules.py", "def discount(order, percent):\n    '''Take percent off.'''\n    return order\n");
        Write("shop/pricing/__init__.py", "");
        Write(".venv/lib/shop/models.py", "class Hidden:\n    pass\n");
        Write("build/shop.py", "class Built:\n    pass\n");
        Write(".gitignore", "generated/\n");
        Write("generated/shop.py", "class Generated:\n    pass\n");
        var main = Write("app/main.py", "");

        using var files = new WorkspaceFiles(NullLogger<WorkspaceFiles>.Instance);
        files.SetFolders([_folder.FullName]);
        await files.Listing;
        Assert.Equal(5, files.FileCount);
        Assert.False(files.Contains(Path.Combine(_folder.FullName, ".venv/lib/shop/models.py")));
        Assert.False(files.Contains(Path.Combine(_folder.FullName, "generated/shop.py")));

        var context = new WorkspaceContext(files, new RecentEdits(), new Server.Documents.DocumentStore(), NullLogger<WorkspaceContext>.Instance);
        var text = context.Describe(main, PythonImports.Read("from shop.models import Order\nfrom shop import make_order\nfrom shop.pricing import rules\nimport os\n"), 10_000);
        Assert.Contains("def total_with_tax(self, rate=TAX_RATE):", text, StringComparison.Ordinal);
        Assert.Contains("def make_order(customer, *lines):", text, StringComparison.Ordinal);
        Assert.Contains("def discount(order, percent):", text, StringComparison.Ordinal);

        // Relative: from the package's own folder.
        var relative = context.Describe(Path.Combine(_folder.FullName, "shop/pricing/rules.py"), PythonImports.Read("from ..models import Order\n"), 10_000);
        Assert.Contains("class Order:", relative, StringComparison.Ordinal);

        // A file changed on disk is read again.
        Write("shop/pricing/rules.py", "def surcharge(order, amount):\n    return order\n");
        files.Changed(Path.Combine(_folder.FullName, "shop/pricing/rules.py"), deleted: false);
        Assert.Contains("def surcharge(order, amount):", context.Describe(main, PythonImports.Read("from shop.pricing import rules\n"), 10_000), StringComparison.Ordinal);
    }

    /// <summary>The workspace files of the test's folder, listed.</summary>
    private async Task<WorkspaceFiles> ListedAsync()
    {
        var files = new WorkspaceFiles(NullLogger<WorkspaceFiles>.Instance);
        files.SetFolders([_folder.FullName]);
        await files.Listing;
        return files;
    }

    /// <summary>Opens <paramref name="text"/> as <paramref name="uri"/> (or a new version of it) and waits for its imports being read, as a completion at its end starts it.</summary>
    private static async Task OpenAndReadImportsAsync(
        WorkspaceContext context, Server.Documents.DocumentStore documents, string uri, int version, string text, ContextOptions options)
    {
        documents.Open(uri, "python", version, text);
        _ = context.SourcesFor(uri, text.Length, options);
        await context.ImportsReadAsync(uri);
    }

    [Fact]
    public async Task PromptSnippetsAreTheImportedNamesUsedNearTheCursorInImportOrder()
    {
        Write("shop/__init__.py", string.Empty);
        Write("shop/models.py", Models);
        Write("shop/pricing.py", "def discount(order, percent):\n    '''Take percent off.'''\n    return order\n");
        var uri = new Uri(Write("app/main.py", string.Empty)).AbsoluteUri;
        using var files = await ListedAsync();
        var documents = new Server.Documents.DocumentStore();
        var context = new WorkspaceContext(files, new RecentEdits(), documents, NullLogger<WorkspaceContext>.Instance);

        // make_order is imported but not used near the cursor; Order and discount are, discount first in the text.
        var text = "from shop.models import Order, make_order\nfrom shop.pricing import discount\n\n\ndef checkout(lines):\n    cut = discount(None, 5)\n    order = Order(lines, None)\n    order.";
        var options = new ContextOptions { PromptSnippets = true };
        await OpenAndReadImportsAsync(context, documents, uri, 1, text, options);

        var snippets = context.PromptSnippetsFor(uri, text.Length, options);
        Assert.NotNull(snippets);
        Assert.Equal(["shop.models", "shop.pricing"], snippets.Items.Select(s => s.Source));
        Assert.Contains("def total_with_tax(self, rate=TAX_RATE):", snippets.Items[0].Text, StringComparison.Ordinal);
        Assert.DoesNotContain("def make_order", string.Concat(snippets.Items.Select(s => s.Text)), StringComparison.Ordinal);
        Assert.Equal(Path.GetFileName(_folder.FullName), snippets.Repository);
        Assert.Equal("app/main.py", snippets.File);

        // The budget keeps the first ones whole; off, or nothing used nearby: none.
        Assert.Equal(["shop.pricing"], context.SnippetsFor(uri, text.Length, snippets.Items[1].Text.Length).Select(s => s.Source));
        Assert.Null(context.PromptSnippetsFor(uri, text.Length, options with { PromptSnippets = false }));
        Assert.Null(context.PromptSnippetsFor(uri, text.IndexOf("def checkout", StringComparison.Ordinal), options));
    }

    [Fact]
    public async Task ASubpackagesModuleKnowsThePackageAboveAndWhatEachModuleDefinesItself()
    {
        Write("shop/__init__.py", "from .models import Order\n");
        Write("shop/models.py", Models);
        Write("shop/pricing/__init__.py", string.Empty);
        Write("shop/pricing/tax.py", "RATE = 0.2\n");
        var uri = new Uri(Write("shop/pricing/rules.py", string.Empty)).AbsoluteUri;
        using var files = await ListedAsync();
        var documents = new Server.Documents.DocumentStore();
        var context = new WorkspaceContext(files, new RecentEdits(), documents, NullLogger<WorkspaceContext>.Instance);

        await OpenAndReadImportsAsync(context, documents, uri, 1, "from .tax import RATE\n\n", new ContextOptions());

        var modules = context.ModulesFor(uri);
        Assert.True(modules.Knows(".tax"));
        Assert.True(modules.Knows("..models")); // from ..models import …
        Assert.True(modules.Knows("..")); // the package above
        Assert.Contains("Order", modules.DefinedBy("..models"));
        Assert.Contains("Order", modules.AttributesOf("..")); // the package passes it on…
        Assert.DoesNotContain("Order", modules.DefinedBy("..")); // …but does not define it
        Assert.Equal("names: cannot import name 'Ordr' from '..models'", Server.Completion.CandidateCheck.Reject(string.Empty, "from ..models import Ordr", string.Empty, modules));
    }

    [Fact]
    public async Task TheCheckStageKnowsTheNamesOfTheModulesADocumentImportsOrSitsBeside()
    {
        Write("shop/__init__.py", "from .models import make_order\n");
        Write("shop/models.py", Models);
        Write("shop/pricing/__init__.py", string.Empty);
        Write("shop/pricing/rules.py", "def discount(order, percent):\n    return order\n");
        Write("shop/magic.py", "from numpy import *\n");
        Write("other/far.py", "def far():\n    pass\n");
        var uri = new Uri(Write("shop/app.py", string.Empty)).AbsoluteUri;
        using var files = await ListedAsync();
        var documents = new Server.Documents.DocumentStore();
        var context = new WorkspaceContext(files, new RecentEdits(), documents, NullLogger<WorkspaceContext>.Instance);
        Assert.Equal(0, context.ModulesFor(uri).Count);

        const string text = "import shop.pricing.rules\nfrom . import models\nfrom .models import Order\n\norder = models.";
        await OpenAndReadImportsAsync(context, documents, uri, 1, text, new ContextOptions());

        var modules = context.ModulesFor(uri);
        Assert.Contains("Order", modules.NamesOf(".models")!);
        Assert.Contains("total_with_tax", modules.NamesOf(".models")!); // every name it binds: a superset of its attributes
        Assert.DoesNotContain("Ordr", modules.NamesOf(".models")!);
        Assert.False(modules.Knows(".models.Order")); // a class, not a module
        Assert.Contains("rules", modules.NamesOf("shop.pricing")!); // a package's submodules
        Assert.Contains("discount", modules.NamesOf("shop.pricing.rules")!);
        Assert.Contains("make_order", modules.NamesOf("shop")!);
        Assert.True(modules.Knows(".pricing")); // beside it, imported or not
        Assert.Contains("pricing", modules.NamesOf(".")!); // its package, with its submodules
        Assert.True(modules.Knows(".magic"));
        Assert.Null(modules.NamesOf(".magic")); // a star import from outside: any name
        Assert.False(modules.Knows(".far"));
        Assert.False(modules.Knows(".app")); // not itself

        // Through the check stage, as a completion is checked.
        Assert.Equal("names: module '.models' has no attribute 'Ordr'", Server.Completion.CandidateCheck.Reject(text[..^"models.".Length], "models.Ordr()", string.Empty, modules));
        Assert.Null(Server.Completion.CandidateCheck.Reject(text[..^"models.".Length], "models.make_order(None)", string.Empty, modules));

        // An open module's text replaces its file on disk.
        var models = new Uri(Path.Combine(_folder.FullName, "shop/models.py")).AbsoluteUri;
        documents.Open(models, "python", 1, Models + "\nclass Ordr:\n    pass\n");
        files.Changed(Path.Combine(_folder.FullName, "shop/models.py"), deleted: false);
        await Task.Delay(1100); // imports are looked at again at most once a second while typing
        await OpenAndReadImportsAsync(context, documents, uri, 2, text + "O", new ContextOptions());
        Assert.Contains("Ordr", context.ModulesFor(uri).NamesOf(".models")!);
    }

    [Fact]
    public async Task ASymbolicLinkIsNotFollowed()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        var outside = Directory.CreateTempSubdirectory("codeassist-outside-");
        try
        {
            File.WriteAllText(Path.Combine(outside.FullName, "secret.py"), "KEY = 1\n");
            Directory.CreateSymbolicLink(Path.Combine(_folder.FullName, "linked"), outside.FullName);
            File.CreateSymbolicLink(Path.Combine(_folder.FullName, "secret.py"), Path.Combine(outside.FullName, "secret.py"));
            Write("real.py", "X = 1\n");
            using var files = new WorkspaceFiles(NullLogger<WorkspaceFiles>.Instance);
            files.SetFolders([_folder.FullName]);
            await files.Listing;
            Assert.Equal(1, files.FileCount);
        }
        finally
        {
            outside.Delete(recursive: true);
        }
    }

    [Fact]
    public void ASourceCountsWhereItsMatchReachesItsMinimumAndWeighsMoreThanThePrompts()
    {
        // The history ends in 7 8; the prompt has no 7 8, the source has 7 8 9.
        int[] history = [1, 2, 3, 7, 8];
        var followers = new Dictionary<int, double>();
        var prompt = ContextCopy.Find(history, history.Length, 32, followers);
        Assert.Equal(0, prompt);
        var sources = new[] { new CopySourceTokens(new[] { 5, 7, 8, 9, 7, 8, 9, 7, 6 }, MinMatch: 2, "imports") };
        var length = ContextCopy.FindInSources(history, sources, 32, minMatch: 1, prompt, followers, [], out var winner);
        Assert.Equal(0, winner);
        Assert.Equal(1, length);
        Assert.Equal(1.0, followers[9]);

        // One matching token is below the source's minimum: nothing.
        int[] short1 = [1, 2, 4, 8];
        Assert.Equal(0, ContextCopy.FindInSources(short1, sources, 32, 1, 0, followers, [], out winner));
        Assert.Equal(-1, winner);

        // The prompt's own match of 2 is as long as the source asks for: the prompt wins.
        int[] both = [7, 8, 4, 7, 8];
        Assert.Equal(2, ContextCopy.Find(both, both.Length, 32, followers));
        Assert.Equal(2, ContextCopy.FindInSources(both, sources, 32, 1, 2, followers, [], out winner));
        Assert.Equal(-1, winner);
        Assert.Equal(1.0, followers[4]);

        // A source's match of 4 weighs as 3, more than the prompt's 2: the source wins.
        int[] longer = [1, 7, 8, 4, 6, 2, 7, 8];
        var far = new[] { new CopySourceTokens(new[] { 3, 6, 2, 7, 8, 5 }, MinMatch: 2, "imports") };
        Assert.Equal(2, ContextCopy.Find(longer, longer.Length, 32, followers));
        Assert.Equal(3, ContextCopy.FindInSources(longer, far, 32, 1, 2, followers, [], out winner));
        Assert.Equal(0, winner);
        Assert.Equal(1.0, followers[5]);
    }

    [Fact]
    public void RecentEditsKeepTheNewestChunksAndMoveAnEditedOneToTheFront()
    {
        var edits = new RecentEdits();
        for (var i = 0; i < RecentEdits.Capacity + 4; i++)
        {
            edits.Record($"file:///f{i}.py", 100);
        }

        Assert.Equal(RecentEdits.Capacity, edits.Chunks().Count);
        Assert.Equal("file:///f19.py", edits.Chunks()[0].Uri);
        edits.Record("file:///f10.py", 110);
        Assert.Equal(("file:///f10.py", 68), edits.Chunks()[0]);
        Assert.Equal(RecentEdits.Capacity, edits.Chunks().Count);
        edits.Forget("file:///f10.py");
        Assert.DoesNotContain(edits.Chunks(), c => c.Uri == "file:///f10.py");
    }
}
