using CodeAssist.Server.Inference.Remote;
using CodeAssist.Server.Prompting;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Remote;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class RemoteModelOptionsTests
{
    private static readonly RemoteModelOptions Valid = new() { Kind = RemoteKind.OpenAi, Endpoint = new Uri("http://127.0.0.1:8080/v1"), Model = "m" };

    [Fact]
    public void DefaultsAreFiveSecondsGreedyThreeFailuresThirtySeconds()
    {
        Assert.Empty(Valid.Validate());
        Assert.Equal(5000, Valid.TimeoutMs);
        Assert.Equal(0, Valid.Temperature);
        Assert.Equal(3, Valid.BreakerFailures);
        Assert.Equal(TimeSpan.FromSeconds(30), Valid.BreakerDuration);
        Assert.Equal(4096, Valid.ContextLength);
        Assert.Equal(RemoteFimMode.Server, Valid.FimMode);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1/v1", "http:// or https://")]
    [InlineData("file:///tmp/socket", "http:// or https://")]
    [InlineData("http://user:pw@127.0.0.1:8080/v1", "must not carry credentials")]
    [InlineData("http://127.0.0.1:8080/v1?key=1", "without query")]
    public void ABadEndpointIsNamed(string endpoint, string expected)
    {
        var errors = (Valid with { Endpoint = new Uri(endpoint) }).Validate();
        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains("pw", StringComparison.Ordinal));
    }

    [Fact]
    public void AMissingEndpointOrRelativeOneIsRejected()
    {
        Assert.Contains(" an endpoint is required", string.Join('|', (Valid with { Endpoint = null }).Validate()));
        Assert.NotEmpty((Valid with { Endpoint = new Uri("/v1", UriKind.Relative) }).Validate());
    }

    [Theory]
    [InlineData(RemoteKind.OpenAi, true)]
    [InlineData(RemoteKind.Ollama, true)]
    [InlineData(RemoteKind.LlamaCpp, false)]
    public void AModelNameIsRequiredWhereTheProtocolNeedsOne(RemoteKind kind, bool required)
    {
        var errors = (Valid with { Kind = kind, Model = " " }).Validate();
        Assert.Equal(required, errors.Any(e => e.Contains("a model name is required", StringComparison.Ordinal)));
    }

    [Fact]
    public void ClientModeNeedsATemplateAndIsNotOfferedForInfill()
    {
        Assert.Contains((Valid with { FimMode = RemoteFimMode.Client }).Validate(), e => e.Contains("needs a template family", StringComparison.Ordinal));
        Assert.Empty((Valid with { FimMode = RemoteFimMode.Client, Template = FimFamily.Qwen }).Validate());
        Assert.Contains(
            (Valid with { Kind = RemoteKind.LlamaCpp, FimMode = RemoteFimMode.Client, Template = FimFamily.Qwen }).Validate(),
            e => e.Contains("/infill", StringComparison.Ordinal));
    }

    [Fact]
    public void NumbersOutOfRangeAreRejectedAndEnsureValidListsThemAll()
    {
        var bad = Valid with { TimeoutMs = 0, BreakerFailures = 1, Temperature = -1, MaxResponseBytes = 10 };
        Assert.Equal(4, bad.Validate().Count);
        var ex = Assert.Throws<ArgumentException>(bad.EnsureValid);
        Assert.Contains("timeout", ex.Message);
        Assert.Contains("breaker", ex.Message);
        Assert.Throws<ArgumentException>(() => new OpenAiCompatibleModel(bad));
    }

    [Fact]
    public void TheDisplayedEndpointIsSchemeHostAndPortOnly()
    {
        Assert.Equal("http://127.0.0.1:8080", RemoteModelOptions.Display(new Uri("http://u:secret@127.0.0.1:8080/v1/?k=s")));
        Assert.Equal("https://api.example", RemoteModelOptions.Display(new Uri("https://api.example/t0ken/v1#frag")));
    }
}
