using System.Diagnostics;

namespace CodeAssist.Tests.Models;

/// <summary>
/// One run of the recipe's whole pipeline (<c>train.py --smoke</c>: corpus subset, tokenizer, a few steps, GGUF
/// export) in a temporary work folder, shared by the smoke tests and removed afterwards; the repository is not touched.
/// </summary>
public sealed class RecipeSmokeRun : IAsyncLifetime
{
    /// <summary>The work folder passed as <c>--workdir</c>.</summary>
    public string WorkDirectory { get; } =
        Path.Combine(Path.GetTempPath(), "codeassist-tests", $"smoke-{Environment.ProcessId}-{Guid.NewGuid():N}");

    /// <summary>The exported model (best held-out loss of the run).</summary>
    public string ModelPath => Path.Combine(WorkDirectory, "smoke", "export.gguf");

    /// <summary>How long the run took, start to exit.</summary>
    public TimeSpan Duration { get; private set; }

    /// <summary>What the run printed.</summary>
    public string Log { get; private set; } = "";

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(WorkDirectory);
        var stopwatch = Stopwatch.StartNew();
        Log = await PythonTools.RunAsync([RepositoryPaths.Train, "--smoke", "--workdir", WorkDirectory], TimeSpan.FromMinutes(5));
        Duration = stopwatch.Elapsed;
    }

    /// <inheritdoc />
    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind does no harm.
        }

        return Task.CompletedTask;
    }
}
