using System.Text.Json;
using CodeAssist.Server.Protocol;
using CodeAssist.Tests.Testing;
using Range = CodeAssist.Server.Protocol.Range;

namespace CodeAssist.Tests.Protocol;

[Trait(TestCategory.Name, TestCategory.Unit)]
public class ProtocolSerializationTests
{
    private const string VsCodeInitializeParams = """
        {
          "processId": 4242,
          "clientInfo": { "name": "Visual Studio Code", "version": "1.105.0" },
          "locale": "en",
          "rootPath": "/home/me/proj",
          "rootUri": "file:///home/me/proj",
          "capabilities": {
            "workspace": {
              "applyEdit": true,
              "workspaceEdit": { "documentChanges": true, "resourceOperations": ["create", "rename", "delete"] },
              "didChangeConfiguration": { "dynamicRegistration": true },
              "executeCommand": { "dynamicRegistration": true },
              "workspaceFolders": true,
              "configuration": true,
              "fileOperations": { "dynamicRegistration": true, "didCreate": true }
            },
            "textDocument": {
              "synchronization": { "dynamicRegistration": true, "willSave": true, "willSaveWaitUntil": true, "didSave": true },
              "completion": {
                "dynamicRegistration": true,
                "contextSupport": true,
                "completionItem": {
                  "snippetSupport": true,
                  "commitCharactersSupport": true,
                  "documentationFormat": ["markdown", "plaintext"],
                  "tagSupport": { "valueSet": [1] },
                  "insertReplaceSupport": true,
                  "resolveSupport": { "properties": ["documentation", "detail"] },
                  "labelDetailsSupport": true
                },
                "insertTextMode": 2,
                "completionItemKind": { "valueSet": [1, 2, 3, 15, 25] },
                "completionList": { "itemDefaults": ["commitCharacters", "editRange"] }
              },
              "hover": { "dynamicRegistration": true, "contentFormat": ["markdown", "plaintext"] },
              "inlineCompletion": { "dynamicRegistration": true },
              "codeAction": { "dynamicRegistration": true, "resolveSupport": { "properties": ["edit"] } }
            },
            "window": { "showMessage": { "messageActionItem": { "additionalPropertiesSupport": true } }, "workDoneProgress": true },
            "general": {
              "staleRequestSupport": { "cancel": true, "retryOnContentModified": ["textDocument/semanticTokens/full"] },
              "regularExpressions": { "engine": "ECMAScript", "version": "ES2020" },
              "markdown": { "parser": "marked", "version": "1.1.0" },
              "positionEncodings": ["utf-16"]
            },
            "notebookDocument": { "synchronization": { "dynamicRegistration": true } }
          },
          "initializationOptions": { "model": "local", "maxTokens": 64 },
          "trace": "off",
          "workspaceFolders": [ { "uri": "file:///home/me/proj", "name": "proj" } ],
          "someFieldFromTheFuture": { "nested": [1, 2, 3] }
        }
        """;

    [Fact]
    public void InitializeParamsFromVsCodeIgnoresUnknownFieldsAndReadsTheCapabilitiesWeUse()
    {
        InitializeParams p = JsonSerializer.Deserialize(VsCodeInitializeParams, LspJsonContext.Default.InitializeParams)!;

        Assert.Equal(4242, p.ProcessId);
        Assert.Equal("Visual Studio Code", p.ClientInfo?.Name);
        Assert.Equal("1.105.0", p.ClientInfo?.Version);
        Assert.Equal("en", p.Locale);
        Assert.Equal("/home/me/proj", p.RootPath);
        Assert.Equal("file:///home/me/proj", p.RootUri);
        Assert.Equal(TraceValue.Off, p.Trace);
        Assert.Equal(new[] { PositionEncodingKind.Utf16 }, p.Capabilities.General?.PositionEncodings);
        Assert.True(p.Capabilities.Workspace?.Configuration);
        Assert.True(p.Capabilities.Workspace?.DidChangeConfiguration?.DynamicRegistration);
        Assert.True(p.Capabilities.Window?.WorkDoneProgress);
        Assert.True(p.Capabilities.TextDocument?.InlineCompletion?.DynamicRegistration);
        Assert.True(p.Capabilities.TextDocument?.Completion?.CompletionItem?.SnippetSupport);
        Assert.True(p.Capabilities.TextDocument?.Completion?.ContextSupport);
        Assert.Equal(new[] { CompletionItemKind.Text, CompletionItemKind.Method, CompletionItemKind.Function, CompletionItemKind.Snippet, CompletionItemKind.TypeParameter }, p.Capabilities.TextDocument?.Completion?.CompletionItemKind?.ValueSet);
        Assert.True(p.Capabilities.TextDocument?.Synchronization?.DidSave);
        Assert.Equal(64, p.InitializationOptions?.GetProperty("maxTokens").GetInt32());
        WorkspaceFolder folder = Assert.Single(p.WorkspaceFolders!);
        Assert.Equal(new WorkspaceFolder { Uri = "file:///home/me/proj", Name = "proj" }, folder);
    }

    [Fact]
    public void InitializeParamsWithoutProcessIdOrRootUriIsAcceptedAndWritesThemAsNull()
    {
        InitializeParams p = JsonSerializer.Deserialize("""{"capabilities":{}}""", LspJsonContext.Default.InitializeParams)!;

        Assert.Null(p.ProcessId);
        Assert.Null(p.RootUri);
        Assert.Equal("""{"processId":null,"rootUri":null,"capabilities":{}}""", JsonSerializer.Serialize(p, LspJsonContext.Default.InitializeParams));
    }

    [Fact]
    public void InitializeParamsWithoutCapabilitiesIsRejected()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("""{"processId":1,"rootUri":null}""", LspJsonContext.Default.InitializeParams));
    }

    [Fact]
    public void InitializeResultUsesTheSpecFieldNamesAndOmitsNulls()
    {
        var result = new InitializeResult
        {
            Capabilities = new ServerCapabilities
            {
                PositionEncoding = PositionEncodingKind.Utf16,
                TextDocumentSync = new TextDocumentSyncOptions { OpenClose = true, Change = TextDocumentSyncKind.Incremental },
                InlineCompletionProvider = new InlineCompletionOptions(),
                CompletionProvider = new CompletionOptions { TriggerCharacters = ["."], ResolveProvider = false },
                ExecuteCommandProvider = new ExecuteCommandOptions { Commands = ["codeAssist.accept"] },
                CodeActionProvider = new CodeActionOptions { CodeActionKinds = [CodeActionKind.QuickFix], ResolveProvider = true },
            },
            ServerInfo = new ServerInfo { Name = "codeassist" },
        };

        string json = JsonSerializer.Serialize(result, LspJsonContext.Default.InitializeResult);

        Assert.Equal(
            """{"capabilities":{"positionEncoding":"utf-16","textDocumentSync":{"openClose":true,"change":2},"completionProvider":{"triggerCharacters":["."],"resolveProvider":false},"codeActionProvider":{"codeActionKinds":["quickfix"],"resolveProvider":true},"executeCommandProvider":{"commands":["codeAssist.accept"]},"inlineCompletionProvider":{}},"serverInfo":{"name":"codeassist"}}""",
            json);
    }

    [Fact]
    public void InlineCompletionParamsRoundTrip()
    {
        const string json = """
            {
              "textDocument": { "uri": "file:///w/a.py" },
              "position": { "line": 3, "character": 8 },
              "context": {
                "triggerKind": 2,
                "selectedCompletionInfo": { "range": { "start": { "line": 3, "character": 4 }, "end": { "line": 3, "character": 8 } }, "text": "print" }
              },
              "workDoneToken": "wd-1"
            }
            """;

        InlineCompletionParams p = JsonSerializer.Deserialize(json, LspJsonContext.Default.InlineCompletionParams)!;

        Assert.Equal("file:///w/a.py", p.TextDocument.Uri);
        Assert.Equal(new Position { Line = 3, Character = 8 }, p.Position);
        Assert.Equal(InlineCompletionTriggerKind.Automatic, p.Context.TriggerKind);
        Assert.Equal("print", p.Context.SelectedCompletionInfo?.Text);
        Assert.Equal(new Position { Line = 3, Character = 4 }, p.Context.SelectedCompletionInfo?.Range.Start);
        Assert.Equal((ProgressToken)"wd-1", p.WorkDoneToken);

        string again = JsonSerializer.Serialize(p, LspJsonContext.Default.InlineCompletionParams);
        Assert.Equal(p, JsonSerializer.Deserialize(again, LspJsonContext.Default.InlineCompletionParams));
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(json).RootElement, JsonDocument.Parse(again).RootElement), again);
    }

    [Theory]
    [InlineData("""{"textDocument":{"uri":"file:///a.py"},"context":{"triggerKind":1}}""")]
    [InlineData("""{"textDocument":{"uri":"file:///a.py"},"position":{"line":0,"character":0}}""")]
    [InlineData("""{"textDocument":null,"position":{"line":0,"character":0},"context":{"triggerKind":1}}""")]
    [InlineData("""{"textDocument":{"uri":"file:///a.py"},"position":{"line":0},"context":{"triggerKind":1}}""")]
    [InlineData("""{"textDocument":{"uri":"file:///a.py"},"position":{"line":"zero","character":0},"context":{"triggerKind":1}}""")]
    public void MalformedInlineCompletionParamsThrowJsonException(string json)
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(json, LspJsonContext.Default.InlineCompletionParams));
    }

    [Fact]
    public void UnknownTriggerKindFromANewerClientIsKept()
    {
        InlineCompletionParams p = JsonSerializer.Deserialize(
            """{"textDocument":{"uri":"file:///a.py"},"position":{"line":0,"character":0},"context":{"triggerKind":7}}""",
            LspJsonContext.Default.InlineCompletionParams)!;

        Assert.Equal((InlineCompletionTriggerKind)7, p.Context.TriggerKind);
    }

    [Fact]
    public void InlineCompletionListOmitsAbsentOptionalFields()
    {
        var list = new InlineCompletionList
        {
            Items =
            [
                new InlineCompletionItem
                {
                    InsertText = "return x",
                    Range = new Range { Start = new Position { Line = 1, Character = 4 }, End = new Position { Line = 1, Character = 4 } },
                    Command = Command.Create("Accept", "codeAssist.accept", "req-7"),
                },
                new InlineCompletionItem { InsertText = "pass" },
            ],
        };

        Assert.Equal(
            """{"items":[{"insertText":"return x","range":{"start":{"line":1,"character":4},"end":{"line":1,"character":4}},"command":{"title":"Accept","command":"codeAssist.accept","arguments":["req-7"]}},{"insertText":"pass"}]}""",
            JsonSerializer.Serialize(list, LspJsonContext.Default.InlineCompletionList));
    }

    [Fact]
    public void DidChangeReadsIncrementalAndFullChanges()
    {
        const string json = """
            {
              "textDocument": { "uri": "file:///w/a.py", "version": 12 },
              "contentChanges": [
                { "range": { "start": { "line": 0, "character": 4 }, "end": { "line": 0, "character": 5 } }, "rangeLength": 1, "text": "xy" },
                { "range": { "start": { "line": 2, "character": 0 }, "end": { "line": 2, "character": 0 } }, "text": "\n" },
                { "text": "import os\n" }
              ]
            }
            """;

        DidChangeTextDocumentParams p = JsonSerializer.Deserialize(json, LspJsonContext.Default.DidChangeTextDocumentParams)!;

        Assert.Equal(12, p.TextDocument.Version);
        Assert.Equal("file:///w/a.py", p.TextDocument.Uri);
        Assert.Equal(3, p.ContentChanges.Count);
        Assert.False(p.ContentChanges[0].IsFullDocument);
        Assert.Equal(new Position { Line = 0, Character = 5 }, p.ContentChanges[0].Range?.End);
        Assert.Equal(1, p.ContentChanges[0].RangeLength);
        Assert.Equal("xy", p.ContentChanges[0].Text);
        Assert.Null(p.ContentChanges[1].RangeLength);
        Assert.Equal("\n", p.ContentChanges[1].Text);
        Assert.True(p.ContentChanges[2].IsFullDocument);
        Assert.Equal("import os\n", p.ContentChanges[2].Text);

        string again = JsonSerializer.Serialize(p, LspJsonContext.Default.DidChangeTextDocumentParams);
        Assert.True(JsonElement.DeepEquals(JsonDocument.Parse(json).RootElement, JsonDocument.Parse(again).RootElement), again);
    }

    [Fact]
    public void DidChangeWithoutVersionIsRejected()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(
            """{"textDocument":{"uri":"file:///a.py"},"contentChanges":[{"text":""}]}""",
            LspJsonContext.Default.DidChangeTextDocumentParams));
    }

    [Fact]
    public void DidOpenReadsTheDocument()
    {
        DidOpenTextDocumentParams p = JsonSerializer.Deserialize(
            """{"textDocument":{"uri":"file:///w/a.py","languageId":"python","version":1,"text":"x = 1\n"}}""",
            LspJsonContext.Default.DidOpenTextDocumentParams)!;

        Assert.Equal(new TextDocumentItem { Uri = "file:///w/a.py", LanguageId = "python", Version = 1, Text = "x = 1\n" }, p.TextDocument);
    }

    [Fact]
    public void CompletionParamsAndListUseSpecNames()
    {
        CompletionParams p = JsonSerializer.Deserialize(
            """{"textDocument":{"uri":"file:///a.py"},"position":{"line":1,"character":2},"context":{"triggerKind":2,"triggerCharacter":"."}}""",
            LspJsonContext.Default.CompletionParams)!;
        Assert.Equal(CompletionTriggerKind.TriggerCharacter, p.Context?.TriggerKind);
        Assert.Equal(".", p.Context?.TriggerCharacter);

        var list = new CompletionList
        {
            IsIncomplete = false,
            Items =
            [
                new CompletionItem
                {
                    Label = "print(x)",
                    Kind = CompletionItemKind.Snippet,
                    InsertTextFormat = InsertTextFormat.PlainText,
                    TextEdit = new TextEdit { Range = new Range { Start = new Position { Line = 1, Character = 2 }, End = new Position { Line = 1, Character = 2 } }, NewText = "print(x)" },
                    Data = JsonSerializer.SerializeToElement("req-1", LspJsonContext.Default.String),
                },
            ],
        };
        Assert.Equal(
            """{"isIncomplete":false,"items":[{"label":"print(x)","kind":15,"insertTextFormat":1,"textEdit":{"range":{"start":{"line":1,"character":2},"end":{"line":1,"character":2}},"newText":"print(x)"},"data":"req-1"}]}""",
            JsonSerializer.Serialize(list, LspJsonContext.Default.CompletionList));
    }

    [Fact]
    public void CodeActionRoundTripsThroughResolveWithDataAndEditKeyedByUri()
    {
        var action = new CodeAction
        {
            Title = "Complete with CodeAssist",
            Kind = CodeActionKind.QuickFix,
            Data = JsonSerializer.SerializeToElement("req-9", LspJsonContext.Default.String),
            Edit = new WorkspaceEdit
            {
                Changes = new Dictionary<string, IReadOnlyList<TextEdit>>
                {
                    ["file:///w/My File.py"] = [new TextEdit { Range = new Range { Start = new Position { Line = 0, Character = 0 }, End = new Position { Line = 0, Character = 0 } }, NewText = "x" }],
                },
            },
        };

        string json = JsonSerializer.Serialize(action, LspJsonContext.Default.CodeAction);
        Assert.Equal(
            """{"title":"Complete with CodeAssist","kind":"quickfix","edit":{"changes":{"file:///w/My File.py":[{"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":0}},"newText":"x"}]}},"data":"req-9"}""",
            json);

        CodeAction back = JsonSerializer.Deserialize(json, LspJsonContext.Default.CodeAction)!;
        Assert.Equal("req-9", back.Data?.GetString());
        Assert.Equal("x", back.Edit?.Changes?["file:///w/My File.py"][0].NewText);
    }

    [Fact]
    public void CodeActionParamsReadDiagnosticsWithIntegerOrStringCodes()
    {
        CodeActionParams p = JsonSerializer.Deserialize(
            """
            {"textDocument":{"uri":"file:///a.py"},"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":3}},
             "context":{"diagnostics":[{"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":3}},"severity":1,"code":"E0602","source":"pyright","message":"undefined"},
                                       {"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":3}},"code":12,"message":"m","tags":[1]}],
                        "only":["quickfix"],"triggerKind":1}}
            """,
            LspJsonContext.Default.CodeActionParams)!;

        Assert.Equal(2, p.Context.Diagnostics.Count);
        Assert.Equal("E0602", p.Context.Diagnostics[0].Code?.GetString());
        Assert.Equal(12, p.Context.Diagnostics[1].Code?.GetInt32());
        Assert.Equal(DiagnosticSeverity.Error, p.Context.Diagnostics[0].Severity);
        Assert.Equal(new[] { CodeActionKind.QuickFix }, p.Context.Only);
        Assert.Equal(CodeActionTriggerKind.Invoked, p.Context.TriggerKind);
    }

    [Fact]
    public void ExecuteCommandParamsKeepArgumentsAsJson()
    {
        ExecuteCommandParams p = JsonSerializer.Deserialize(
            """{"command":"codeAssist.accept","arguments":["req-3",{"n":1},2]}""",
            LspJsonContext.Default.ExecuteCommandParams)!;

        Assert.Equal("codeAssist.accept", p.Command);
        Assert.Equal("req-3", p.Arguments![0].GetString());
        Assert.Equal(1, p.Arguments[1].GetProperty("n").GetInt32());
        Assert.Equal(JsonValueKind.Number, p.Arguments[2].ValueKind);
    }

    [Fact]
    public void ConfigurationRequestAndSettingsUseSpecShapes()
    {
        var request = new ConfigurationParams { Items = [new ConfigurationItem { Section = "codeAssist" }, new ConfigurationItem { ScopeUri = "file:///w", Section = "python" }] };
        Assert.Equal(
            """{"items":[{"section":"codeAssist"},{"scopeUri":"file:///w","section":"python"}]}""",
            JsonSerializer.Serialize(request, LspJsonContext.Default.ConfigurationParams));

        JsonElement[] result = JsonSerializer.Deserialize("""[{"model":"small"},null]""", LspJsonContext.Default.JsonElementArray)!;
        Assert.Equal("small", result[0].GetProperty("model").GetString());
        Assert.Equal(JsonValueKind.Null, result[1].ValueKind);

        DidChangeConfigurationParams withNull = JsonSerializer.Deserialize("""{"settings":null}""", LspJsonContext.Default.DidChangeConfigurationParams)!;
        Assert.Null(withNull.Settings);
        DidChangeConfigurationParams withSettings = JsonSerializer.Deserialize("""{"settings":{"codeAssist":{"enabled":true}}}""", LspJsonContext.Default.DidChangeConfigurationParams)!;
        Assert.True(withSettings.Settings?.GetProperty("codeAssist").GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public void WindowMessagesUseNumericMessageType()
    {
        Assert.Equal(
            """{"type":2,"message":"model slow"}""",
            JsonSerializer.Serialize(new LogMessageParams { Type = MessageType.Warning, Message = "model slow" }, LspJsonContext.Default.LogMessageParams));
        Assert.Equal(TraceValue.Verbose, JsonSerializer.Deserialize("""{"value":"verbose"}""", LspJsonContext.Default.SetTraceParams)!.Value);
    }

    [Fact]
    public void ProgressValuesCarryTheirKindAndTokensMayBeNumbersOrStrings()
    {
        Assert.Equal(
            """{"token":"load-1"}""",
            JsonSerializer.Serialize(new WorkDoneProgressCreateParams { Token = "load-1" }, LspJsonContext.Default.WorkDoneProgressCreateParams));
        Assert.Equal(
            """{"token":"load-1","value":{"kind":"begin","title":"Loading model","percentage":0}}""",
            JsonSerializer.Serialize(new ProgressParams { Token = "load-1", Value = new WorkDoneProgressBegin { Title = "Loading model", Percentage = 0 } }, LspJsonContext.Default.ProgressParams));
        Assert.Equal(
            """{"token":7,"value":{"kind":"end"}}""",
            JsonSerializer.Serialize(new ProgressParams { Token = 7, Value = new WorkDoneProgressEnd() }, LspJsonContext.Default.ProgressParams));

        Assert.Equal((ProgressToken)7, JsonSerializer.Deserialize("7", LspJsonContext.Default.ProgressToken));
        Assert.Equal((ProgressToken)"7", JsonSerializer.Deserialize("\"7\"", LspJsonContext.Default.ProgressToken));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("true", LspJsonContext.Default.ProgressToken));
    }
}
