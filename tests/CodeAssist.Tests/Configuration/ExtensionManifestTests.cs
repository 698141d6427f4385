using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using CodeAssist.Server.Configuration;
using CodeAssist.Server.Inference.Remote;
using CodeAssist.Server.Lsp;
using CodeAssist.Server.Prompting;
using CodeAssist.Tests.Models;
using CodeAssist.Tests.Testing;

namespace CodeAssist.Tests.Configuration;

/// <summary>The settings the VS Code extension contributes (package.json) against what the server reads.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public class ExtensionManifestTests
{
    private const string Prefix = "codeAssist.";

    /// <summary>Every option differs from its default, so a key the manifest leaves out shows as a difference.</summary>
    private static readonly CodeAssistOptions NothingDefault = new()
    {
        Model = "/elsewhere/model.gguf",
        Threads = 3,
        ContextSize = 1024,
        MaxTokens = 8,
        Candidates = 2,
        DebounceMs = 1,
        Multiline = MultilineMode.Never,
        MaxLines = 2,
        Enable = false,
        FimOrder = FimOrder.Psm,
        KvCacheReuse = false,
        ContextCopy = false,
        Fallback = new FallbackOptions
        {
            Kind = FallbackKind.Ollama,
            Model = "m",
            Endpoint = "http://127.0.0.1:1",
            ApiKeyEnv = "SOME_KEY",
            FimMode = RemoteFimMode.Client,
            Template = FimFamily.Qwen,
            TimeoutMs = 100,
        },
        Routing = new RoutingOptions
        {
            EscalateOnInvoke = false,
            EscalateOnBlockStart = false,
            MinConfidence = 0.05,
            DeadlineMs = 5,
            CodeActionDeadlineMs = 7,
            BreakerFailures = 7,
            BreakerCooldownMs = 600,
        },
        CodeActions = new CodeActionsOptions
        {
            Candidates = 3,
            BudgetMs = 9,
            Temperature = 0.3,
            TopP = 0.5,
            Consensus = false,
        },
        Context = new ContextOptions
        {
            Workspace = false,
            ImportChars = 1,
            EditChars = 2,
            FileChars = 3,
            IndexTokens = 4,
            PromptSnippets = true,
            SnippetChars = 5,
        },
    };

    private static Dictionary<string, JsonNode?> ContributedSettings()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "package.json")))!;
        var properties = manifest["contributes"]!["configuration"]!["properties"]!.AsObject();
        return properties.ToDictionary(property => property.Key, property => property.Value, StringComparer.Ordinal);
    }

    [Fact]
    public void TheBaselineOfThisTestSetsEveryOption()
    {
        // A new option must be added to NothingDefault, or the manifest test below could not see it missing.
        static IEnumerable<string> Same(object actual, object defaults) =>
            actual.GetType()
                .GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(property => property.CanWrite && property.GetIndexParameters().Length == 0)
                .Where(property => Equals(property.GetValue(actual), property.GetValue(defaults)))
                .Select(property => property.Name);

        Assert.Empty(Same(NothingDefault, CodeAssistOptions.Default));
        Assert.Empty(Same(NothingDefault.Fallback, CodeAssistOptions.Default.Fallback));
        Assert.Empty(Same(NothingDefault.Routing, CodeAssistOptions.Default.Routing));
        Assert.Empty(Same(NothingDefault.CodeActions, CodeAssistOptions.Default.CodeActions));
        Assert.Empty(Same(NothingDefault.Context, CodeAssistOptions.Default.Context));
    }

    [Fact]
    public void TheExtensionContributesEveryServerSettingWithTheServersDefault()
    {
        // The defaults VS Code sends for an untouched configuration, nested as the server receives them.
        var section = new JsonObject();
        foreach (var (key, schema) in ContributedSettings())
        {
            Assert.StartsWith(Prefix, key, StringComparison.Ordinal);
            Assert.True(schema!.AsObject().ContainsKey("default"), $"{key} has no default");
            Assert.True(schema.AsObject().ContainsKey("description") || schema.AsObject().ContainsKey("markdownDescription"), $"{key} has no description");
            Assert.True(schema.AsObject().ContainsKey("scope"), $"{key} has no scope");
            var path = key[Prefix.Length..].Split('.');
            var parent = section;
            foreach (var part in path[..^1])
            {
                parent = (JsonObject)(parent[part] ??= new JsonObject());
            }

            parent[path[^1]] = schema["default"]?.DeepClone();
        }

        var parsed = CodeAssistOptions.Parse(JsonDocument.Parse(section.ToJsonString()).RootElement, NothingDefault, out var problems);

        Assert.Empty(problems);
        Assert.Equal(CodeAssistOptions.Default.Fallback, parsed.Fallback);
        Assert.Equal(CodeAssistOptions.Default.Routing, parsed.Routing);
        Assert.Equal(CodeAssistOptions.Default.CodeActions, parsed.CodeActions);
        Assert.Equal(CodeAssistOptions.Default.Context, parsed.Context);
        Assert.Equal(CodeAssistOptions.Default, parsed);
    }

    [Fact]
    public void TheSettingsAWorkspaceMayNotSetAreMachineScoped()
    {
        var settings = ContributedSettings();
        foreach (var key in ConfigurationPuller.MachineOnlyKeys)
        {
            Assert.Equal("machine", (string?)settings[$"{Prefix}fallback.{key}"]!["scope"]);
        }

        // Which program runs is not a workspace's choice either.
        Assert.Equal("machine", (string?)settings[$"{Prefix}server.path"]!["scope"]);
    }

    [Fact]
    public void RestrictedModeIsDeclaredWithEverySettingThatChoosesAModelFileAProgramOrWhereCodeGoes()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "package.json")))!;
        var untrusted = manifest["capabilities"]!["untrustedWorkspaces"]!;
        Assert.Equal("limited", (string?)untrusted["supported"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)untrusted["description"]));
        var restricted = untrusted["restrictedConfigurations"]!.AsArray().Select(key => (string)key!).ToList();

        // Each is a setting the extension contributes (a typo would restrict nothing).
        var settings = ContributedSettings();
        Assert.All(restricted, key => Assert.True(settings.ContainsKey(key), $"{key} is not a contributed setting"));

        // The model files, the fallback's kind and model (kind picks remote or local), where code is sent and with
        // which key, and the program that runs; the rest only tunes what the shipped models do.
        string[] expected = [$"{Prefix}model", $"{Prefix}fallback.kind", $"{Prefix}fallback.model", $"{Prefix}server.path",
            .. ConfigurationPuller.MachineOnlyKeys.Select(key => $"{Prefix}fallback.{key}")];
        Assert.Equal(expected.Order(StringComparer.Ordinal), restricted.Order(StringComparer.Ordinal));
    }
}
