using CodeAssist.Server.CodeActions;
using CodeAssist.Server.Protocol;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.CodeActions;

/// <summary>What a code action's candidate must be before it may be applied (<see cref="BodyCheck"/>).</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class BodyCheckTests
{
    private static readonly CodeActionPlan Implement = new(CodeAssistActionKinds.ImplementFunction, 0, 0, "\n    ", string.Empty, "    ", 40);

    private static string? Check(string header, string docstring, string text, string before = "", string suffix = "")
    {
        var shape = FunctionShape.Read(header, docstring);
        var prefix = before + header + "\n    " + docstring + "\n    ";
        return BodyCheck.Reject(Implement with { Shape = shape }, shape, prefix, text, suffix);
    }

    [Theory]
    [InlineData("def add(a, b):", "\"\"\"Return the sum of a and b.\"\"\"", "return a + b")]
    [InlineData("def total(numbers):", "\"\"\"Return the sum of the numbers.\"\"\"", "result = 0\n    for n in numbers:\n        result += n\n    return result")]
    [InlineData("def push(self, item) -> None:", "\"\"\"Push item.\"\"\"", "self.items.append(item)")]
    [InlineData("def log(message, level=0):", "\"\"\"Print message; level is ignored.\"\"\"", "print(message)")]
    [InlineData("def pairs(items):", "\"\"\"Return the pairs.\"\"\"", "for item in items:\n        yield item, item")]
    [InlineData("def f(*args, **kwargs):", "\"\"\"Returns the count.\"\"\"", "return len(args) + len(kwargs)")]
    [InlineData("def f(_unused, x):", "\"\"\"Return x.\"\"\"", "return x")]
    public void AGoodBodyPasses(string header, string docstring, string text) =>
        Assert.Null(Check(header, docstring, text));

    [Theory]
    [InlineData("def add(a, b):", "\"\"\"Return the sum.\"\"\"", "pass", "placeholder")]
    [InlineData("def add(a, b):", "\"\"\"Return the sum.\"\"\"", "...", "placeholder")]
    [InlineData("def add(a, b):", "\"\"\"Return the sum.\"\"\"", "\"\"\"More docs.\"\"\"", "placeholder")]
    [InlineData("def add(a, b):", "\"\"\"Return the sum.\"\"\"", "return a +", "syntax")]
    [InlineData("def add(a, b):", "\"\"\"Return the sum.\"\"\"", "if a:", "syntax")]
    [InlineData("def add(a, b):", "\"\"\"Return the sum.\"\"\"", "return a.a", "parameters: the body does not use b")]
    [InlineData("def total(numbers):", "\"\"\"Return the sum.\"\"\"", "return _sheap(s)", "names")]
    [InlineData("def total(numbers):", "\"\"\"Return the sum.\"\"\"", "return _sheap(numbers)", "names: '_sheap' is not bound")]
    [InlineData("def lower(text):", "\"\"\"Return text in lower case.\"\"\"", "return string.lower(text)", "names: 'string' is not bound")]
    [InlineData("def add(a, b):", "\"\"\"Return the sum.\"\"\"", "print(a + b)", "returns: the docstring says Return")]
    [InlineData("def now():", "\"\"\"Return the time.\"\"\"", "return", "returns: the docstring says Return")]
    [InlineData("def show(a, b) -> None:", "\"\"\"Return nothing, print.\"\"\"", "return a + b", "returns: the signature says -> None")]
    [InlineData("def count_vowels(text):", "\"\"\"Return the number of vowels in text.\"\"\"", "return text", "pointless: the body returns text unchanged")]
    [InlineData("def is_even(n):", "\"\"\"Return True if n is even.\"\"\"", "return n - n", "pointless: n - n is the same whatever n is")]
    [InlineData("def to_json(data):", "\"\"\"Return data serialised as a JSON string.\"\"\"", "return data", "pointless: the body returns data unchanged")]
    [InlineData("def is_even(n):", "\"\"\"Return True if n is even.\"\"\"", "return n < n < n <= n + 1", "pointless: n < n")]
    [InlineData("def ratio(a, b):", "\"\"\"Return the ratio.\"\"\"", "x = a / a\n    return x + b", "pointless: a / a")]
    [InlineData("def same(a, b):", "\"\"\"Return True if a is b.\"\"\"", "return a is a or b", "pointless: a is a")]
    [InlineData("def f(a, b):", "\"\"\"Return the rest.\"\"\"", "return (a % a, b)", "pointless: a % a")]
    [InlineData("def add(a, b):", "\"\"\"Return the sum of a and b.\"\"\"", "return a.sum(a, b)", "pointless: a.sum(…) is given a again as an argument")]
    [InlineData("def normalize_path(path):", "\"\"\"Return path normalised.\"\"\"", "return path.abspath(path)", "pointless: path.abspath(…)")]
    public void ABadBodyIsRejectedByTheRightCheck(string header, string docstring, string text, string expected)
    {
        var rejection = Check(header, docstring, text);
        Assert.NotNull(rejection);
        Assert.StartsWith(expected, rejection, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("return a + b")]
    [InlineData("if a:\n    return a\nelse:\n    return b")]
    [InlineData("if a: return a\nreturn b")]
    [InlineData("if a:\n    return 1\nelif b:\n    return 2\nelse:\n    raise ValueError(b)")]
    [InlineData("if a:\n    if b:\n        return 1\n    return 2\nelse:\n    return 3")]
    [InlineData("for x in a:\n    if x == b:\n        return x")]
    [InlineData("while True:\n    a += b")]
    [InlineData("try:\n    return a[b]\nexcept KeyError:\n    pass")]
    [InlineData("with open(a) as f:\n    return f.read(b)")]
    [InlineData("x = a; return x + b")]
    [InlineData("match a:\n    case 1:\n        return b")]
    [InlineData("if (lambda: a)():\n    return b\nelse:\n    return a[1:2]")]
    [InlineData("result = [\n    a,\n    b,\n]\nreturn result")]
    public void ABodyThatAlwaysReturnsOrNeverEndsByFallingThroughPasses(string body) =>
        Assert.False(BodyCheck.CanEndWithoutValue("    " + body.Replace("\n", "\n    ", StringComparison.Ordinal)), body);

    [Theory]
    [InlineData("if not a:\n    return b")]
    [InlineData("if a:\n    return 1\nelif b:\n    return 2")]
    [InlineData("if a:\n    return 1\nelse:\n    print(b)")]
    [InlineData("if a:\n    if b:\n        return 1\nelse:\n    return 3")]
    [InlineData("with open(a) as f:\n    data = f.read(b)")]
    [InlineData("x = a; return")]
    [InlineData("if a: return b")]
    [InlineData("return a\nb = 1")]
    public void ABodyThatCanFallThroughIsSeen(string body) =>
        Assert.True(BodyCheck.CanEndWithoutValue("    " + body.Replace("\n", "\n    ", StringComparison.Ordinal)), body);

    [Fact]
    public void ABodyThatCanEndWithoutTheReturnedValueIsRejectedWhenTheDocstringSaysReturn()
    {
        // The e2e's stub, as tiny v3 wrote it: None whenever a is truthy.
        Assert.StartsWith(
            "returns: the docstring says Return but the body can end without returning a value",
            Check("def add(a, b):", "\"\"\"Return the sum of a and b.\"\"\"", "if not a:\n        return b"));
        Assert.Null(Check("def add(a, b):", "\"\"\"Return the sum of a and b.\"\"\"", "if not a:\n        return b\n    return a + b"));
        Assert.Null(Check("def show(a, b):", "\"\"\"Print the sum of a and b.\"\"\"", "if a:\n        print(a + b)"));
    }

    [Theory]
    [InlineData("def square(n):", "\"\"\"Return n squared.\"\"\"", "return n * n")]
    [InlineData("def is_nan(x):", "\"\"\"Return True if x is NaN.\"\"\"", "return x != x")]
    [InlineData("def f(a, b):", "\"\"\"Return the difference.\"\"\"", "return a - b")]
    [InlineData("def f(a, b):", "\"\"\"Return the gap.\"\"\"", "return b * a - a")]
    [InlineData("def f(a, b):", "\"\"\"Return the gap.\"\"\"", "return a - a.start + b")]
    [InlineData("def f(a, b):", "\"\"\"Return the gap.\"\"\"", "return a - a(b)")]
    [InlineData("def f(a, b):", "\"\"\"Return the gap.\"\"\"", "return a - a ** b")]
    [InlineData("def f(a, b):", "\"\"\"Return the gap.\"\"\"", "return -a - a + b")]
    [InlineData("def f(a, b):", "\"\"\"Return the gap.\"\"\"", "return a < a + b")]
    [InlineData("def f(a, b):", "\"\"\"Return the gap.\"\"\"", "return a is not a or b")]
    [InlineData("def identity(x):", "\"\"\"Return x.\"\"\"", "return x")]
    [InlineData("def make(kind, b):", "\"\"\"Return a new one.\"\"\"", "return kind.__new__(kind, b)")]
    [InlineData("def f(a, b):", "\"\"\"Return the sum.\"\"\"", "return a.total(f(a), b)")]
    [InlineData("def f(a, b):", "\"\"\"Return the sum.\"\"\"", "return b.x.total(b, a)")]
    [InlineData("def f(a, b):", "\"\"\"Return the sum.\"\"\"", "return a.total(b)(a)")]
    [InlineData("def identity(x):", "\"\"\"Returns ``x``\"\"\"", "return x")]
    [InlineData("def identity(x):", "\"\"\"Return the value unchanged.\"\"\"", "return x")]
    [InlineData("def keep(x):", "\"\"\"Keep x.\"\"\"", "return x")]
    [InlineData("def get(self):", "\"\"\"Return this object.\"\"\"", "return self")]
    [InlineData("def f(a, b):", "\"\"\"Return the text.\"\"\"", "return f\"{a - a}\" + b + a")]
    [InlineData("def greet(name):", "\"\"\"Return a greeting of the form 'Hello, <name>!'.\"\"\"", "return f\"Hello, {name}!\"")]
    public void AnOperationOfANameWithItselfThatPeopleWriteOrAnIdentityTheDocstringAsksForPasses(string header, string docstring, string text) =>
        Assert.Null(Check(header, docstring, text));

    [Fact]
    public void AnImportedStandardModuleMustHaveTheAttribute()
    {
        Assert.Null(Check("def ext(path):", "\"\"\"Return the extension.\"\"\"", "return os.path.splitext(path)[1]", before: "import os\n\n\n"));
        Assert.StartsWith("names: module 'os.path' has no attribute", Check("def ext(path):", "\"\"\"Return the extension.\"\"\"", "return os.path.extension(path)", before: "import os\n\n\n"));
    }

    [Fact]
    public void AMethodMayUseTheAttributesOfItsClass()
    {
        var before = "class Stack:\n    def __init__(self):\n        self.items = []\n\n";
        var shape = FunctionShape.Read("    def push(self, item) -> None:", "\"\"\"Push.\"\"\"");
        var prefix = before + "    def push(self, item) -> None:\n        \"\"\"Push.\"\"\"\n        ";
        var plan = Implement with { BodyIndent = "        ", Shape = shape };
        Assert.Null(BodyCheck.Reject(plan, shape, prefix, "self.items.append(item)", string.Empty));
        Assert.StartsWith("names: class 'Stack' has no attribute 'stack'", BodyCheck.Reject(plan, shape, prefix, "self.stack.append(item)", string.Empty));
    }

    [Fact]
    public void TheShapeReadsParametersDocstringAndReturnAnnotation()
    {
        var shape = FunctionShape.Read("def f(self, a: int, b: dict[str, int] = {}, *args, key=None, **kwargs) -> None:", "    \"\"\"Returns x.\"\"\"");
        Assert.Equal(["self", "a", "b", "args", "key", "kwargs"], shape.Parameters);
        Assert.True(shape.ReturnsNone);
        Assert.True(shape.DocstringSaysReturn);
        Assert.Equal("Returns x.", shape.Docstring);
        Assert.False(FunctionShape.Read("def f(a) -> Optional[None]:", string.Empty).ReturnsNone);
        Assert.False(FunctionShape.Read("def f(a):", "'''Compute the sum.'''").DocstringSaysReturn);
    }

    [Theory]
    [InlineData("Compute the area.", null)]
    [InlineData("Compute the area.\n\n    :param width: the width\n    :param height: the height", null)]
    [InlineData("Compute the area.\n\n    :param depth: the depth", "parameters: the docstring describes 'depth'")]
    [InlineData("Compute the area.\n\n    Args:\n        width (int): the width\n        radius: a radius\n", "parameters: the docstring describes 'radius'")]
    [InlineData("Compute the area.\n\n    Note: widths are positive.\n    Returns: the area", null)]
    [InlineData("   ", "placeholder")]
    public void ADocstringDescribesOnlyParametersThatExist(string text, string? expected)
    {
        var shape = FunctionShape.Read("def area(width, height):", string.Empty);
        var plan = new CodeActionPlan(CodeAssistActionKinds.WriteDocstring, 0, 0, "\n    \"\"\"", "\"\"\"", "    ", 8) { Shape = shape };
        var rejection = BodyCheck.Reject(plan, shape, "def area(width, height):\n    \"\"\"", text, "\"\"\"\n");
        if (expected is null)
        {
            Assert.Null(rejection);
        }
        else
        {
            Assert.StartsWith(expected, rejection, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ATodoCompletionStaysInsideTheTodosBlock()
    {
        var plan = new CodeActionPlan(CodeAssistActionKinds.CompleteTodo, 0, 0, "\n    ", string.Empty, "    ", 12);
        const string prefix = "def load(path):\n    # TODO: read the file\n    ";
        Assert.Null(BodyCheck.Reject(plan, FunctionShape.None, prefix, "with open(path) as handle:\n        data = handle.read()", "\n    return data\n"));
        Assert.StartsWith("block:", BodyCheck.Reject(plan, FunctionShape.None, prefix, "data = 1\nprint(data)", "\n    return data\n"));
        Assert.StartsWith("placeholder", BodyCheck.Reject(plan, FunctionShape.None, prefix, "pass", "\n    return data\n"));
    }
}
