namespace CodeAssist.Tests.Testing;

/// <summary>
/// The values of the <c>Category</c> trait every test class carries exactly one of (<c>dotnet test --filter
/// Category=Unit</c> runs the fast ones alone). A class that does several of these things takes the first that
/// applies, in the order Process, Protocol, Model, Unit.
/// </summary>
public static class TestCategory
{
    /// <summary>The trait's name.</summary>
    public const string Name = "Category";

    /// <summary>Pure in-process logic: no model loaded, no server session, no other program (an in-process HTTP fake is fine).</summary>
    public const string Unit = "Unit";

    /// <summary>Drives the server (or StreamJsonRpc as the server configures it) over LSP/JSON-RPC streams in memory.</summary>
    public const string Protocol = "Protocol";

    /// <summary>Starts another program: the built <c>codeassist</c> executable, Python, CPython, stand-in processes.</summary>
    public const string Process = "Process";

    /// <summary>Loads a GGUF model through llama.cpp in-process: the shipped models or synthetic test models.</summary>
    public const string Model = "Model";

    /// <summary>Every category.</summary>
    public static readonly IReadOnlyList<string> All = [Unit, Protocol, Process, Model];
}
