using System.Reflection;
using System.Text.Json.Nodes;
using CodeAssist.Server.Protocol;
using CodeAssist.Tests.Models;

namespace CodeAssist.Tests.Fuzz;

/// <summary>The methods the server declares (<see cref="LspMethods"/>, <see cref="CodeAssistMethods"/>) and a valid example of each one's params.</summary>
internal static class FuzzMethods
{
    /// <summary>The document the params family's examples name.</summary>
    public const string ParamsUri = "file:///fuzz/params.py";

    /// <summary>Every method constant, read from the classes so that a method added later is fuzzed (or fails for want of an example).</summary>
    public static IReadOnlyList<string> Declared { get; } =
        [.. new[] { typeof(LspMethods), typeof(CodeAssistMethods) }
            .SelectMany(type => type.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(field => field.IsLiteral && field.FieldType == typeof(string))
            .Select(field => (string)field.GetRawConstantValue()!)];

    /// <summary>Methods that end the session when they work; they are sent once, at the end, by the suite itself.</summary>
    public static IReadOnlySet<string> SessionEnding { get; } = new HashSet<string> { LspMethods.Exit, LspMethods.Shutdown };

    /// <summary>Methods sent as requests (with an id); the others are sent as notifications, as a client would.</summary>
    public static IReadOnlySet<string> Requests { get; } = new HashSet<string>
    {
        LspMethods.Initialize, LspMethods.Shutdown, LspMethods.WorkspaceExecuteCommand, LspMethods.TextDocumentInlineCompletion,
        LspMethods.TextDocumentCompletion, LspMethods.TextDocumentCodeAction, LspMethods.CodeActionResolve, CodeAssistMethods.Stats,
        LspMethods.WindowWorkDoneProgressCreate, LspMethods.WorkspaceConfiguration,
    };

    /// <summary>Valid params per method (several for executeCommand: one per command); null for "no params".</summary>
    public static IReadOnlyDictionary<string, string?[]> Examples { get; } = new Dictionary<string, string?[]>
    {
        [LspMethods.Initialize] = ["""{"processId":1,"rootUri":null,"clientInfo":{"name":"fuzz","version":"1"},"capabilities":{"general":{"positionEncodings":["utf-16"]},"window":{"workDoneProgress":false}},"initializationOptions":{"maxTokens":16},"workspaceFolders":[{"uri":"file:///fuzz","name":"fuzz"}]}"""],
        [LspMethods.Initialized] = ["{}"],
        [LspMethods.Shutdown] = [null],
        [LspMethods.Exit] = [null],
        [LspMethods.CancelRequest] = ["""{"id":1}"""],
        [LspMethods.SetTrace] = ["""{"value":"off"}"""],
        [LspMethods.Progress] = ["""{"token":"t","value":{"kind":"end"}}"""],
        [LspMethods.WindowLogMessage] = ["""{"type":3,"message":"from the client"}"""],
        [LspMethods.WindowWorkDoneProgressCreate] = ["""{"token":"t"}"""],
        [LspMethods.WindowWorkDoneProgressCancel] = ["""{"token":"codeassist/1/1"}"""],
        [LspMethods.WorkspaceConfiguration] = ["""{"items":[{"section":"codeAssist"}]}"""],
        [LspMethods.WorkspaceDidChangeConfiguration] = ["""{"settings":{"codeAssist":{"maxTokens":16,"multiline":"auto"}}}"""],
        [LspMethods.WorkspaceDidChangeWatchedFiles] = ["""{"changes":[{"uri":"file:///fuzz/pkg/models.py","type":2}]}"""],
        [LspMethods.WorkspaceExecuteCommand] =
        [
            """{"command":"codeAssist.accepted","arguments":["c1"]}""",
            """{"command":"codeAssist.listModels","arguments":[{"tier":"local"}]}""",
            JsonText.Fill("""{"command":"codeAssist.selectModel","arguments":[{"tier":"local","id":@0}]}""", System.Text.Json.JsonSerializer.Serialize(RepositoryPaths.TinyModel)),
        ],
        [LspMethods.TextDocumentDidOpen] = [JsonText.Fill("""{"textDocument":{"uri":"@0","languageId":"python","version":1,"text":"def f(x):\n    return x\n"}}""", ParamsUri)],
        [LspMethods.TextDocumentDidChange] = [JsonText.Fill("""{"textDocument":{"uri":"@0","version":2},"contentChanges":[{"range":{"start":{"line":0,"character":4},"end":{"line":0,"character":5}},"rangeLength":1,"text":"g"}]}""", ParamsUri)],
        [LspMethods.TextDocumentDidClose] = [JsonText.Fill("""{"textDocument":{"uri":"@0"}}""", ParamsUri)],
        [LspMethods.TextDocumentDidSave] = [JsonText.Fill("""{"textDocument":{"uri":"@0"},"text":"def f(x):\n    return x\n"}""", ParamsUri)],
        [LspMethods.TextDocumentInlineCompletion] = [JsonText.Fill("""{"textDocument":{"uri":"@0"},"position":{"line":1,"character":4},"context":{"triggerKind":1,"selectedCompletionInfo":{"range":{"start":{"line":1,"character":4},"end":{"line":1,"character":4}},"text":"x"}}}""", ParamsUri)],
        [LspMethods.TextDocumentCompletion] = [JsonText.Fill("""{"textDocument":{"uri":"@0"},"position":{"line":1,"character":4},"context":{"triggerKind":1}}""", ParamsUri)],
        [LspMethods.TextDocumentCodeAction] = [JsonText.Fill("""{"textDocument":{"uri":"@0"},"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":0}},"context":{"diagnostics":[{"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":1}},"message":"m","severity":1,"code":"c"}],"only":["refactor"],"triggerKind":1}}""", ParamsUri)],
        [LspMethods.CodeActionResolve] = [JsonText.Fill("""{"title":"Write docstring","kind":"refactor.rewrite","data":{"uri":"@0","version":1,"action":"writeDocstring","position":{"line":0,"character":0}}}""", ParamsUri)],
        [CodeAssistMethods.Stats] = [null],
        [CodeAssistMethods.Status] = ["""{"tiers":[{"tier":"local","model":"m","state":"ready"}]}"""],
    };
}

/// <summary>
/// Params: for every declared method but exit and shutdown, each field of a valid example (every object property and
/// array element, and the params themselves) replaced by a value of every JSON type — null, booleans, integers at and
/// beyond the int and long ranges, a fraction, a number beyond double, strings (a lone surrogate among them), arrays,
/// objects — and removed. Requests must be answered with their id; notifications must leave the server answering.
/// </summary>
internal static class ParamFuzzer
{
    private const string Slot = "__fuzz_slot__";

    private static readonly string[] WrongValues =
    [
        "null", "true", "false", "0", "-1", "2147483648", "-9223372036854775809", "1.5", "1E400", "\"\"", "\"x\"", "\"\\ud800\"",
        "[]", "[null]", "{}", "{\"x\":1}",
    ];

    /// <summary>Every (method, mutated params) pair, in a fixed order.</summary>
    public static List<(string Method, string Params, string What)> Inputs()
    {
        var inputs = new List<(string, string, string)>();
        foreach (var method in FuzzMethods.Declared.Where(m => !FuzzMethods.SessionEnding.Contains(m)))
        {
            foreach (var example in FuzzMethods.Examples[method])
            {
                foreach (var (path, mutated) in Mutations(example))
                {
                    inputs.Add((method, mutated, path));
                }
            }
        }

        return inputs;
    }

    public static async Task RunAsync(FuzzContext context, FamilyReport report, int limit)
    {
        var missing = FuzzMethods.Declared.Where(m => !FuzzMethods.Examples.ContainsKey(m)).ToList();
        if (missing.Count > 0)
        {
            report.Failures.Add($"declared methods without a params example (add one to FuzzMethods.Examples): {string.Join(", ", missing)}");
        }

        var random = context.RandomFor("params");
        var ids = new FuzzIds(3);
        var inputs = Inputs();
        var methods = inputs.Select(i => i.Method).Distinct().Count();
        report.Notes.Add($"{Math.Min(limit, inputs.Count)} of {inputs.Count} (method, field, value) combinations over {methods} methods");

        // All of them when they fit the budget; otherwise a seeded sample, still over every method.
        if (inputs.Count > limit)
        {
            inputs = [.. Enumerable.Range(0, inputs.Count).OrderBy(_ => random.Next()).Take(limit).Order().Select(i => inputs[i])];
        }

        var server = await context.ServerAsync();
        await server.NotifyAsync(LspMethods.TextDocumentDidOpen, FuzzMethods.Examples[LspMethods.TextDocumentDidOpen][0]);
        for (var i = 0; i < inputs.Count; i++)
        {
            server = await context.ServerAsync();
            report.Inputs++;
            var (method, parameters, what) = inputs[i];
            var paramsPart = parameters.Length == 0 ? "" : ",\"params\":" + parameters;
            if (FuzzMethods.Requests.Contains(method))
            {
                var id = RandomJson.Int(ids.Next());
                server.Require(id, $"{method} with {what}");
                await server.SendRawAsync(FuzzServer.Frame(JsonText.Fill("""{"jsonrpc":"2.0","id":@0,"method":"@1"@2}""", id, method, paramsPart)));
            }
            else
            {
                await server.SendRawAsync(FuzzServer.Frame(JsonText.Fill("""{"jsonrpc":"2.0","method":"@0"@1}""", method, paramsPart)));
            }

            if ((i + 1) % 100 == 0 || i == inputs.Count - 1)
            {
                await context.CheckpointAsync(report, $"params input {i}: {method} with {what} (seed {context.Seed})");
            }
        }

        // Some mutations were valid settings; the next family starts from the suite's own.
        server = await context.ServerAsync();
        await server.NotifyAsync(LspMethods.WorkspaceDidChangeConfiguration, JsonText.Fill("""{"settings":{"codeAssist":@0}}""", FuzzServer.Settings()));
    }

    /// <summary>The example with each field replaced by each wrong value, and with each field removed; "" stands for "no params".</summary>
    private static IEnumerable<(string Path, string Params)> Mutations(string? example)
    {
        if (example is null)
        {
            // No params: send each value as the params themselves.
            foreach (var value in WrongValues)
            {
                yield return ($"params = {value}", value);
            }

            yield break;
        }

        foreach (var value in WrongValues)
        {
            yield return ($"params = {value}", value);
        }

        yield return ("no params", "");
        var root = JsonNode.Parse(example)!;
        foreach (var path in Paths(root, ""))
        {
            foreach (var value in WrongValues)
            {
                var copy = root.DeepClone();
                Replace(copy, path, JsonValue.Create(Slot));
                var text = copy.ToJsonString().Replace($"\"{Slot}\"", value, StringComparison.Ordinal);
                if (text != root.ToJsonString())
                {
                    yield return ($"{path} = {value}", text);
                }
            }

            var removed = root.DeepClone();
            Replace(removed, path, null, remove: true);
            yield return ($"{path} removed", removed.ToJsonString());
        }
    }

    /// <summary>The paths of every property and array element under <paramref name="node"/>, as ".a.b[0].c".</summary>
    private static IEnumerable<string> Paths(JsonNode? node, string prefix)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    var path = $"{prefix}.{name}";
                    yield return path;
                    foreach (var deeper in Paths(child, path))
                    {
                        yield return deeper;
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var path = $"{prefix}[{i}]";
                    yield return path;
                    foreach (var deeper in Paths(array[i], path))
                    {
                        yield return deeper;
                    }
                }

                break;
        }
    }

    private static void Replace(JsonNode root, string path, JsonNode? value, bool remove = false)
    {
        var steps = System.Text.RegularExpressions.Regex.Matches(path, @"\.([^.\[]+)|\[(\d+)\]").Select(m => m.Groups[1].Success ? (object)m.Groups[1].Value : int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var parent = root;
        foreach (var step in steps.SkipLast(1))
        {
            parent = step is string name ? parent[name]! : parent[(int)step]!;
        }

        switch (steps[^1])
        {
            case string name when remove:
                parent.AsObject().Remove(name);
                break;
            case string name:
                parent[name] = value;
                break;
            case int index when remove:
                parent.AsArray().RemoveAt(index);
                break;
            case int index:
                parent[index] = value;
                break;
        }
    }
}
