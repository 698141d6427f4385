using System.Reflection;
using System.Text.Json;
using CodeAssist.Server.Lsp.Handlers;
using CodeAssist.Server.Protocol;
using CodeAssist.Tests.Testing;
using StreamJsonRpc;

namespace CodeAssist.Tests.Lsp;

/// <summary>Our own <c>codeAssist/*</c> requests keep the LSP lifecycle like the standard ones: not before initialize, not after shutdown.</summary>
[Trait(TestCategory.Name, TestCategory.Protocol)]
public sealed class CustomRequestLifecycleTests
{
    /// <summary>Every <c>codeAssist/</c> method a handler serves, found by reflection so that a new one is held to the rule too.</summary>
    public static TheoryData<string> CustomRequests()
    {
        var names = typeof(StatsHandler).Assembly.GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(method => method.GetCustomAttribute<JsonRpcMethodAttribute>()?.Name)
            .OfType<string>()
            .Where(name => name.StartsWith("codeAssist/", StringComparison.Ordinal))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Contains(CodeAssistMethods.Stats, names);
        var data = new TheoryData<string>();
        foreach (var name in names)
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CustomRequests))]
    public async Task ACustomRequestBeforeInitializeIsServerNotInitialized(string method)
    {
        await using var client = LspTestClient.Start();
        var response = await client.RequestAsync(method, null);
        Assert.Equal(LspErrorCodes.ServerNotInitialized, ErrorCode(response));
    }

    [Theory]
    [MemberData(nameof(CustomRequests))]
    public async Task ACustomRequestAfterShutdownIsInvalidRequest(string method)
    {
        await using var client = LspTestClient.Start();
        await client.InitializeAsync();
        Assert.True((await client.RequestAsync(method, null)).TryGetProperty("result", out _));
        Assert.True((await client.RequestAsync("shutdown", null)).TryGetProperty("result", out _));
        var response = await client.RequestAsync(method, null);
        Assert.Equal(LspErrorCodes.InvalidRequest, ErrorCode(response));
    }

    private static int ErrorCode(JsonElement response) =>
        response.TryGetProperty("error", out var error) ? error.GetProperty("code").GetInt32() : throw new Xunit.Sdk.XunitException($"no error: {response.GetRawText()}");
}
