using CodeAssist.Server.Python;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Python;

[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class PythonOutlineTests
{
    [Theory]
    [InlineData("def f():\n    pass\n", StubKind.Pass)]
    [InlineData("def f():\n    ...\n", StubKind.Ellipsis)]
    [InlineData("def f():\n    raise NotImplementedError\n", StubKind.NotImplemented)]
    [InlineData("def f():\n    raise NotImplementedError(\"soon\")  # later\n", StubKind.NotImplemented)]
    [InlineData("def f():\n    \"\"\"Doc.\n\n    More.\n    \"\"\"\n", StubKind.Empty)]
    [InlineData("def f():\n", StubKind.Empty)]
    [InlineData("def f():\n    # only a comment\n    pass\n", StubKind.Pass)]
    [InlineData("def f(): ...\n", StubKind.Ellipsis)]
    [InlineData("async def f(\n    a,\n    b,\n) -> int:\n    pass\n", StubKind.Pass)]
    public void AFunctionWhoseBodyIsAPlaceholderIsAStub(string source, StubKind kind)
    {
        var function = Assert.Single(PythonOutline.Analyze(source).Definitions);
        Assert.Equal("def", function.Keyword);
        Assert.Equal(kind, function.Stub);
    }

    [Theory]
    [InlineData("def f():\n    return 1\n")]
    [InlineData("def f():\n    pass\n    return 1\n")]
    [InlineData("def f(): return 1\n")]
    [InlineData("class A:\n    pass\n")]
    public void RealCodeOrAClassIsNoStub(string source) =>
        Assert.Null(PythonOutline.Analyze(source).Definitions[0].Stub);

    [Fact]
    public void TheStubStatementSpansThePlaceholderAndItsComment()
    {
        const string source = "class A:\n    def f(self):\n        pass  # later\n\n    def g(self):\n        return 1\n";
        var outline = PythonOutline.Analyze(source);
        var f = outline.DefinitionAt(2)!;
        Assert.Equal(1, f.Header.First);
        Assert.Equal("        ", f.BodyIndentText);
        var stub = f.StubStatement!;
        Assert.Equal("pass  # later", source[stub.Start..stub.End]);

        // The innermost definition wins; a line between methods belongs to the class.
        Assert.Equal(4, outline.DefinitionAt(5)!.Header.First);
        Assert.Equal(0, outline.DefinitionAt(0)!.Header.First);
    }

    [Fact]
    public void DocstringsAndMultiLineHeadersAreFound()
    {
        const string source = "def f(\n    a,\n):\n    r'''Doc.'''\n    return a\n";
        var f = Assert.Single(PythonOutline.Analyze(source).Definitions);
        Assert.Equal(new LineSpan(0, 2), f.Header);
        Assert.Equal(new LineSpan(3, 3), f.Docstring);
        Assert.Equal(new LineSpan(3, 4), f.Body);
    }

    [Theory]
    [InlineData("# TODO: later\n", true)]
    [InlineData("    #TODO\n", true)]
    [InlineData("# TODO add caching\n", true)]
    [InlineData("# TODOS\n", false)]
    [InlineData("# todo: lower case\n", false)]
    [InlineData("x = 1  # TODO: trailing\n", false)]
    public void ATodoIsACommentLineThatSaysTodo(string source, bool isTodo) =>
        Assert.Equal(isTodo, PythonOutline.Analyze(source).TodoAt(0) is not null);

    [Fact]
    public void ATodoTakesThePlaceholderAfterItAtTheSameDepth()
    {
        const string source = "def f():\n    # TODO: compute\n    pass\n\n# TODO: more\nx = 1\n";
        var outline = PythonOutline.Analyze(source);
        var first = outline.TodoAt(1)!;
        Assert.Equal("    ", first.IndentText);
        Assert.Equal("pass", source[first.Placeholder!.Start..first.Placeholder.End]);
        Assert.Null(outline.TodoAt(4)!.Placeholder);
        Assert.Null(outline.TodoAt(0));
    }
}
