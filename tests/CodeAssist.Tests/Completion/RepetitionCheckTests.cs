using CodeAssist.Server.Completion;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Completion;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class RepetitionCheckTests
{
    [Theory]
    [InlineData("og_name = \"/%s/%s/%s/%s/%s/%s/%s/%s/%s/%s/%s/%s/%s/%s/%s/%s/%s/%s/%s/%", "%s/")]
    [InlineData("values = [a, a, a, a, a, a, a, a", ", a")]
    [InlineData("x = ((((((((((((((", "(")]
    public void ACutOffLineThatLoopsIsRejected(string candidate, string unit)
    {
        var rejection = RepetitionCheck.Reject(candidate);
        Assert.NotNull(rejection);
        Assert.StartsWith("repetition:", rejection, StringComparison.Ordinal);
        Assert.Contains("loops on", rejection, StringComparison.Ordinal);
        Assert.Contains(unit.Trim()[^1..], rejection, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("uuxes(widget_count")]
    [InlineData("result = self.compute_something_long(first_argument, second_argument")]
    [InlineData("print(\"=\" * 40)")]
    [InlineData("ab")]
    [InlineData("")]
    public void ALongLineThatDoesNotLoopPasses(string candidate) => Assert.Null(RepetitionCheck.Reject(candidate));
}
