using System.Globalization;
using System.Text;
using System.Text.Json;
using CodeAssist.Server.Lsp.Framing;
using CodeAssist.Server.Protocol;
using CodeAssist.Tests.Logging;
using CodeAssist.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Events;

namespace CodeAssist.Tests.Lsp;

/// <summary>
/// Bad framing and broken JSON-RPC envelopes, byte for byte as a hostile or buggy client would send them: none ends the
/// session, every request whose id can be read is answered with that id, and what was skipped is logged at warning.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Protocol)]
public sealed class FramingTests
{
    private static readonly MessageLimits SmallLimits = MessageLimits.Default with { MaxMessageBytes = 20_000, MaxDepth = 16 };

    public static TheoryData<string, string> BadHeaders => new()
    {
        { "no Content-Length", "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\"}" },
        { "a length that is not a number", "Content-Length: abc\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\"}" },
        { "a negative length", "Content-Length: -5\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\"}" },
        { "a zero length", "Content-Length: 0\r\n\r\n" },
        { "a length beyond 2^31", "Content-Length: 2147483649\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\"}" },
        { "a header line without a colon", "Content-Length: 37\r\nnonsense\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\"}" },
        { "a charset that is not utf-8", "Content-Length: 37\r\nContent-Type: application/json; charset=utf-16\r\n\r\n{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\"}" },
        { "junk", "these bytes are no message at all }}}" },
        { "a header longer than the limit", "X-Padding: " + new string('a', 10_000) + "\r\n" },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public async Task ABadFrameIsSkippedWithAWarningAndTheNextRequestIsAnswered(string what, string bytes)
    {
        var log = new CapturedLog();
        await using var client = Start(log);
        await client.InitializeAsync();
        await client.SendUnframedAsync(Encoding.UTF8.GetBytes(bytes));
        var answer = await SendFramedRequestAsync(client, 9001);
        Assert.True(answer.TryGetProperty("error", out var error), answer.GetRawText());
        Assert.Equal(LspErrorCodes.MethodNotFound, error.GetProperty("code").GetInt32());
        Assert.False(client.Server.IsCompleted, what);
        Assert.Contains(log.Events, e => e.Level == LogEventLevel.Warning && (e.RenderMessage().Contains("Skipped", StringComparison.Ordinal) || e.RenderMessage().Contains("Stopped skipping", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task LineFeedOnlyHeadersAreAccepted()
    {
        await using var client = Start();
        await client.InitializeAsync();
        var body = Body(9002);
        await client.SendUnframedAsync([.. Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\n\n")), .. body]);
        var answer = await client.WaitForAnswerAsync(Id(9002));
        Assert.Equal(LspErrorCodes.MethodNotFound, answer.GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task AContentLengthShorterThanTheBodyAnswersAParseErrorWithTheIdAndTheNextFrameStillWorks()
    {
        var log = new CapturedLog();
        await using var client = Start(log);
        await client.InitializeAsync();
        var body = Body(9003);
        await client.SendUnframedAsync([.. Header(body.Length - 10), .. body, .. Frame(Body(9004))]);
        var cut = await client.WaitForAnswerAsync(Id(9003));
        Assert.Equal(LspErrorCodes.ParseError, cut.GetProperty("error").GetProperty("code").GetInt32());
        var next = await client.WaitForAnswerAsync(Id(9004));
        Assert.Equal(LspErrorCodes.MethodNotFound, next.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains(log.Events, e => e.Level == LogEventLevel.Warning && e.RenderMessage().Contains("before a header", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AContentLengthLongerThanTheBodyGivesTheNextFrameBack()
    {
        await using var client = Start();
        await client.InitializeAsync();
        var body = Body(9005);
        await client.SendUnframedAsync([.. Header(body.Length + 30), .. body, .. Frame(Body(9006))]);
        Assert.Equal(LspErrorCodes.MethodNotFound, (await client.WaitForAnswerAsync(Id(9005))).GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(LspErrorCodes.MethodNotFound, (await client.WaitForAnswerAsync(Id(9006))).GetProperty("error").GetProperty("code").GetInt32());
    }

    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":9010,"method":"textDocument/inlineCompletion","params":5}""", 9010, LspErrorCodes.InvalidParams)]
    [InlineData("""{"jsonrpc":"2.0","id":9011,"method":"textDocument/inlineCompletion","params":"str"}""", 9011, LspErrorCodes.InvalidParams)]
    [InlineData("""{"jsonrpc":"2.0","id":"s-9012","method":"codeAssist/stats","params":true}""", "s-9012", LspErrorCodes.InvalidParams)]
    [InlineData("""{"jsonrpc":"2.0","id":9013,"method":42}""", 9013, LspErrorCodes.InvalidRequest)]
    [InlineData("""{"jsonrpc":"1.0","id":9014,"method":"codeAssist/stats"}""", 9014, LspErrorCodes.InvalidRequest)]
    [InlineData("""{"jsonrpc":"2.0","id":9015}""", 9015, LspErrorCodes.InvalidRequest)]
    [InlineData("""{"jsonrpc":"2.0","id":9016,"method":"codeAssist/stats","params":{"a":1}""", 9016, LspErrorCodes.ParseError)]
    [InlineData("""{"jsonrpc":"2.0","id":{"x":1},"method":"codeAssist/stats"}""", null, LspErrorCodes.InvalidRequest)]
    [InlineData("""[{"jsonrpc":"2.0","id":9017,"method":"codeAssist/stats"}]""", null, LspErrorCodes.InvalidRequest)]
    [InlineData("""7""", null, LspErrorCodes.InvalidRequest)]
    public async Task ABrokenEnvelopeIsAnsweredWithItsIdAndTheRightCode(string message, object? id, int code)
    {
        await using var client = Start();
        await client.InitializeAsync();
        await client.SendRawAsync(message);
        var expected = id is null ? JsonDocument.Parse("null").RootElement : JsonSerializer.SerializeToElement(id);
        var answer = await client.WaitForAnswerAsync(expected);
        Assert.Equal(code, answer.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(LspErrorCodes.MethodNotFound, (await SendFramedRequestAsync(client, 9099)).GetProperty("error").GetProperty("code").GetInt32());
    }

    // Found by the fuzz suite (FuzzSuite, frames, seed 20261206): one byte that is not UTF-8 in a string the envelope
    // reads ended the session, since the JSON reader checks UTF-8 only when a string is read.
    public static TheoryData<string, byte[], int?> InvalidUtf8InTheEnvelope => new()
    {
        { "the jsonrpc value", [.. "{\"id\":9060,\"jsonrpc\":\"2."u8, 0xFF, .. "0\",\"method\":\"codeAssist/stats\"}"u8], 9060 },
        { "the method", [.. "{\"jsonrpc\":\"2.0\",\"id\":9061,\"method\":\"codeAssist/st"u8, 0xC3, 0x28, .. "ats\"}"u8], 9061 },
        { "a property name", [.. "{\"jsonrpc\":\"2.0\",\"id\":9062,\"me"u8, 0x90, .. "thod\":\"codeAssist/stats\"}"u8], 9062 },
        { "a string id", [.. "{\"jsonrpc\":\"2.0\",\"id\":\"x"u8, 0xFF, .. "\",\"method\":\"codeAssist/stats\"}"u8], null },
    };

    [Theory]
    [MemberData(nameof(InvalidUtf8InTheEnvelope))]
    public async Task InvalidUtf8InAStringTheEnvelopeReadsIsAParseErrorAndTheSessionGoesOn(string where, byte[] body, int? id)
    {
        await using var client = Start();
        await client.InitializeAsync();
        await client.SendRawBytesAsync(body);
        var answer = await client.WaitForAnswerAsync(id is { } value ? Id(value) : JsonDocument.Parse("null").RootElement);
        Assert.Equal(LspErrorCodes.ParseError, answer.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(LspErrorCodes.MethodNotFound, (await SendFramedRequestAsync(client, 9098)).GetProperty("error").GetProperty("code").GetInt32());
        Assert.False(client.Server.IsCompleted, where);
    }

    // Found by the fuzz suite (FuzzSuite, messages, seed 20261206): StreamJsonRpc ends the session on a response it did
    // not ask for, so one stray answer from a buggy client took the server down.
    [Theory]
    [InlineData("""{"jsonrpc":"2.0","id":77,"result":null}""")]
    [InlineData("""{"jsonrpc":"2.0","id":"x","error":{"code":-32603,"message":"client error"}}""")]
    [InlineData("""{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"the client could not parse something"}}""")]
    public async Task AResponseToNoRequestOfOursIsDroppedWithAWarningAndTheSessionGoesOn(string response)
    {
        var log = new CapturedLog();
        await using var client = Start(log);
        await client.InitializeAsync();
        await client.SendRawAsync(response);
        Assert.Equal(LspErrorCodes.MethodNotFound, (await SendFramedRequestAsync(client, 9097)).GetProperty("error").GetProperty("code").GetInt32());
        Assert.False(client.Server.IsCompleted);
        Assert.Contains(log.Events, e => e.Level == LogEventLevel.Warning && e.RenderMessage().StartsWith("Dropped a response with id", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ParamsNullIsAcceptedAsNoParams()
    {
        await using var client = Start();
        await client.InitializeAsync();
        await client.SendRawAsync("""{"jsonrpc":"2.0","id":9018,"method":"shutdown","params":null}""");
        Assert.True((await client.WaitForAnswerAsync(Id(9018))).TryGetProperty("result", out _));
    }

    [Fact]
    public async Task JsonNestedDeeperThanTheLimitIsRefusedWithTheId()
    {
        await using var client = Start();
        await client.InitializeAsync();
        var deep = new string('[', 40) + new string(']', 40);
        await client.SendRawAsync("""{"jsonrpc":"2.0","id":9020,"method":"codeAssist/stats","params":{"x":""" + deep + "}}");
        var answer = await client.WaitForAnswerAsync(Id(9020));
        Assert.Equal(LspErrorCodes.InvalidRequest, answer.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains("nested deeper than 16", answer.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMessageOverTheSizeLimitIsRefusedWithItsIdAndSkipped()
    {
        var log = new CapturedLog();
        await using var client = Start(log);
        await client.InitializeAsync();
        var text = new string('x', 30_000);
        await client.SendRawAsync("""{"jsonrpc":"2.0","id":9030,"method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///big.py","languageId":"python","version":1,"text":" """ + text + "\"}}}");
        var answer = await client.WaitForAnswerAsync(Id(9030));
        Assert.Equal(LspErrorCodes.InvalidRequest, answer.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains("over the limit of 20000 bytes", answer.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(LspErrorCodes.MethodNotFound, (await SendFramedRequestAsync(client, 9031)).GetProperty("error").GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task TheInputEndingInsideAMessageEndsTheSessionWithALoggedReason()
    {
        var log = new CapturedLog();
        var client = Start(log);
        await client.InitializeAsync();
        await client.SendUnframedAsync([.. Header(500), .. "{\"jsonrpc\":"u8.ToArray()]);
        await client.DisposeAsync();
        Assert.Contains(log.Events, e => e.Level == LogEventLevel.Warning && e.RenderMessage().Contains("ended inside a message", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ANotificationWithParamsOfTheWrongKindIsLoggedNotAnswered()
    {
        var log = new CapturedLog();
        await using var client = Start(log);
        await client.InitializeAsync();
        await client.SendRawAsync("""{"jsonrpc":"2.0","method":"textDocument/didChange","params":5}""");
        Assert.Equal(LspErrorCodes.MethodNotFound, (await SendFramedRequestAsync(client, 9040)).GetProperty("error").GetProperty("code").GetInt32());
        Assert.Contains(log.Events, e => e.Level == LogEventLevel.Warning && e.RenderMessage().Contains("textDocument/didChange", StringComparison.Ordinal) && e.RenderMessage().Contains("not answered", StringComparison.Ordinal));
        Assert.DoesNotContain(client.Notifications("textDocument/didChange"), _ => true);
    }

    private static LspTestClient Start(CapturedLog? log = null) =>
        LspTestClient.Start(services => services.AddSingleton(SmallLimits), log);

    private static async Task<JsonElement> SendFramedRequestAsync(LspTestClient client, int id)
    {
        await client.SendRawBytesAsync(Body(id));
        return await client.WaitForAnswerAsync(Id(id));
    }

    /// <summary>A request for a method the server does not have: answered MethodNotFound with its id when it gets through.</summary>
    private static byte[] Body(int id) => Encoding.UTF8.GetBytes("""{"jsonrpc":"2.0","id":""" + id.ToString(CultureInfo.InvariantCulture) + ""","method":"textDocument/hover","params":{"textDocument":{"uri":"file:///a.py"},"position":{"line":0,"character":0}}}""");

    private static byte[] Header(int length) => Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"Content-Length: {length}\r\n\r\n"));

    private static byte[] Frame(byte[] body) => [.. Header(body.Length), .. body];

    private static JsonElement Id(int id) => JsonSerializer.SerializeToElement(id);
}
