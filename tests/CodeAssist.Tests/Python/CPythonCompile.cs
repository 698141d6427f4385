using System.Diagnostics;
using System.Text;
using System.Text.Json;
using CodeAssist.Tests.Models;

namespace CodeAssist.Tests.Python;

/// <summary>CPython's verdict on a text: compiles, fails because it ended too soon, or fails otherwise.</summary>
internal enum CPythonVerdict
{
    Valid,
    Unfinished,
    Invalid,
}

/// <summary>What <c>compile()</c> said: the verdict and, for a failure, its exception and message.</summary>
internal sealed record CPythonResult(CPythonVerdict Verdict, string Message);

/// <summary>
/// Runs Debian's CPython (<c>/usr/bin/python3</c>, 3.11 on the CI image) once over many texts and asks
/// <c>compile(text, "&lt;snippet&gt;", "exec")</c> about each: the reference the parser is measured against.
/// </summary>
/// <remarks>
/// A failure counts as unfinished when its message is one CPython gives when the text ended too soon ("unexpected EOF
/// while parsing", "'(' was never closed", "expected an indented block…", "unterminated triple-quoted string…");
/// CPython reports the unclosed bracket for some errors after it too, so this split is only indicative.
/// </remarks>
internal static class CPythonCompile
{
    private const string Script = """
        import json, sys, warnings
        warnings.simplefilter("ignore")
        EOF = ("unexpected EOF", "was never closed", "expected an indented block", "unterminated triple-quoted string")
        answers = []
        for source in json.load(sys.stdin):
            try:
                compile(source, "<snippet>", "exec", dont_inherit=True)
                answers.append(["valid", ""])
            except SyntaxError as error:
                message = error.msg or ""
                verdict = "unfinished" if any(marker in message for marker in EOF) else "invalid"
                answers.append([verdict, f"{type(error).__name__}: {message} (line {error.lineno})"])
            except Exception as error:
                answers.append(["invalid", f"{type(error).__name__}: {error}"])
        json.dump(answers, sys.stdout)
        """;

    /// <summary>CPython's verdicts on <paramref name="sources"/>, in order, from one run of the interpreter.</summary>
    public static async Task<IReadOnlyList<CPythonResult>> CompileAsync(IReadOnlyList<string> sources, TimeSpan timeout)
    {
        if (!File.Exists(PythonTools.Interpreter))
        {
            Assert.Fail($"{PythonTools.Interpreter} does not exist. Run the README's test command (scripts/test.sh), which installs Debian's python3.");
        }

        var info = new ProcessStartInfo(PythonTools.Interpreter)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Script);
        info.Environment["PYTHONIOENCODING"] = "utf-8";
        info.Environment["PYTHONDONTWRITEBYTECODE"] = "1";

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {PythonTools.Interpreter}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(JsonSerializer.Serialize(sources));
        process.StandardInput.Close();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"CPython took longer than {timeout.TotalSeconds:F0} s over {sources.Count} texts");
        }

        Assert.True(process.ExitCode == 0, $"CPython exited with {process.ExitCode}: {await stderr}");
        var answers = JsonSerializer.Deserialize<string[][]>(await stdout) ?? [];
        Assert.Equal(sources.Count, answers.Length);
        return [.. answers.Select(answer => new CPythonResult(
            answer[0] switch { "valid" => CPythonVerdict.Valid, "unfinished" => CPythonVerdict.Unfinished, _ => CPythonVerdict.Invalid },
            answer[1]))];
    }
}
