using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using CodeAssist.Server;
using CodeAssist.Server.Inference;
using CodeAssist.Server.Lsp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nerdbank.Streams;
using Serilog;

namespace CodeAssist.Tools.Benchmarks;

/// <summary>
/// A language server for one benchmark mode, and the client talking to it: either the real server's services and
/// handlers in this process over an in-memory duplex stream (framing and JSON included), or the <c>codeassist serve</c>
/// process over stdio.
/// </summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private readonly ServiceProvider? _services;
    private readonly Task<int>? _inProcess;
    private readonly Process? _process;
    private readonly Task? _stderrDrain;

    private BenchServer(BenchLspClient client, ServiceProvider services, Task<int> server)
    {
        Client = client;
        _services = services;
        _inProcess = server;
    }

    private BenchServer(BenchLspClient client, Process process, Task stderrDrain)
    {
        Client = client;
        _process = process;
        _stderrDrain = stderrDrain;
    }

    public BenchLspClient Client { get; }

    /// <summary>The in-process server's inference counters (null over stdio: read <c>codeAssist/stats</c> instead).</summary>
    public InferenceStatistics? Inference => _services?.GetRequiredService<InferenceStatistics>();

    public bool IsStdio => _process is not null;

    /// <summary>One of the in-process server's services (its handlers, to time one directly).</summary>
    public T Service<T>()
        where T : notnull => (_services ?? throw new InvalidOperationException("the server runs in another process")).GetRequiredService<T>();

    /// <summary>CPU time the server's process has used so far.</summary>
    public TimeSpan CpuTime()
    {
        if (_process is null)
        {
            using var self = Process.GetCurrentProcess();
            return self.TotalProcessorTime;
        }

        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>The server process's resident set now, in bytes.</summary>
    public long ResidentBytes()
    {
        if (_process is null)
        {
            return Environment.WorkingSet;
        }

        _process.Refresh();
        return _process.WorkingSet64;
    }

    /// <summary>Starts the real server's services in this process.</summary>
    public static BenchServer StartInProcess(Serilog.ILogger log)
    {
        var (clientStream, serverStream) = FullDuplexStream.CreatePair();
        var services = new ServiceCollection()
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddSerilog(log, dispose: false))
            .AddCodeAssistLanguageServer()
            .BuildServiceProvider();
        var server = Task.Run(() => services.GetRequiredService<LspServer>().RunAsync(serverStream, serverStream, CancellationToken.None));
        return new BenchServer(new BenchLspClient(clientStream, clientStream), services, server);
    }

    /// <summary>Starts <c>codeassist serve</c> as a child process, the way an editor does.</summary>
    public static BenchServer StartProcess()
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell this executable's path");
        var info = new ProcessStartInfo(self)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // Run as "dotnet codeassist.dll", the child must be started the same way (the entry assembly is the
        // executable's, not this library's).
        if (Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            info.ArgumentList.Add(System.Reflection.Assembly.GetEntryAssembly()?.Location
                ?? throw new InvalidOperationException("cannot tell the codeassist executable's assembly"));
        }

        info.ArgumentList.Add("serve");
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start codeassist serve");
        var drain = process.StandardError.BaseStream.CopyToAsync(Stream.Null);
        return new BenchServer(new BenchLspClient(process.StandardOutput.BaseStream, process.StandardInput.BaseStream), process, drain);
    }

    /// <summary>initialize with the mode's settings as initializationOptions, then initialized.</summary>
    public async Task InitializeAsync(JsonObject settings, string? workspaceFolder = null)
    {
        var response = await Client.RequestAsync("initialize", w =>
        {
            w.WriteStartObject();
            w.WriteNumber("processId", Environment.ProcessId);
            w.WriteStartObject("capabilities");
            w.WriteEndObject();
            if (workspaceFolder is not null)
            {
                w.WriteStartArray("workspaceFolders");
                w.WriteStartObject();
                w.WriteString("uri", new Uri(Path.GetFullPath(workspaceFolder)).AbsoluteUri);
                w.WriteString("name", Path.GetFileName(workspaceFolder));
                w.WriteEndObject();
                w.WriteEndArray();
            }

            w.WritePropertyName("initializationOptions");
            settings.WriteTo(w);
            w.WriteEndObject();
        }).ConfigureAwait(false);
        if (response.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException($"initialize failed: {error}");
        }

        await Client.NotifyAsync("initialized", w =>
        {
            w.WriteStartObject();
            w.WriteEndObject();
        }).ConfigureAwait(false);
    }

    /// <summary>Pushes settings with workspace/didChangeConfiguration.</summary>
    public Task ConfigureAsync(JsonObject settings) =>
        Client.NotifyAsync("workspace/didChangeConfiguration", w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("settings");
            w.WritePropertyName("codeAssist");
            settings.WriteTo(w);
            w.WriteEndObject();
            w.WriteEndObject();
        });

    /// <summary>The server's counters (<c>codeAssist/stats</c>).</summary>
    public async Task<JsonElement> StatsAsync()
    {
        var response = await Client.RequestAsync("codeAssist/stats", null).ConfigureAwait(false);
        return response.GetProperty("result");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Client.RequestAsync("shutdown", null).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
            await Client.NotifyAsync("exit", null).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or TimeoutException or EndOfStreamException or ObjectDisposedException)
        {
            // A server that is already gone needs no shutdown.
        }

        if (_inProcess is not null)
        {
            await _inProcess.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }

        if (_process is not null)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            await _stderrDrain!.ConfigureAwait(false);
            _process.Dispose();
        }

        await Client.DisposeAsync().ConfigureAwait(false);
        if (_services is not null)
        {
            await _services.DisposeAsync().ConfigureAwait(false);
        }
    }
}
