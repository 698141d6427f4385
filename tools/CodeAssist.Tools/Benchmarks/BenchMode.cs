using CodeAssist.Server.Prompting;

namespace CodeAssist.Tools.Benchmarks;

/// <summary>What a mode does with the server.</summary>
internal enum BenchKind
{
    /// <summary>Types the region back, each keystroke waiting for its answer (paced by --chars-per-second).</summary>
    Typing,

    /// <summary>Types at 20 characters/s without waiting for answers, in bursts with a pause after each.</summary>
    Storm,

    /// <summary>Types the characters of the suggestion the server showed.</summary>
    Accept,

    /// <summary>Swaps the model back and forth through the <c>model</c> setting and measures RSS after each swap.</summary>
    Swap,

    /// <summary>Switches the model back and forth with <c>codeAssist.selectModel</c> (the palette's path) and times the first completion after each.</summary>
    Select,
}

/// <summary>One benchmark mode: what is typed, into which file, with which server settings, over which transport.</summary>
internal sealed record BenchMode(string Name, string Description, BenchKind Kind, bool LargeFile = false, bool KvReuse = true, FimOrder? Order = null, bool Stdio = false)
{
    /// <summary>Every mode, in the order they run.</summary>
    public static IReadOnlyList<BenchMode> All { get; } =
    [
        new("reuse", "KV cache kept between requests (SPM, the tiny model's order)", BenchKind.Typing),
        new("fresh", "KV cache cleared per request: every prompt token decoded", BenchKind.Typing, KvReuse: false),
        new("psm", "KV reuse on, PSM prompt order (prefix before suffix)", BenchKind.Typing, Order: FimOrder.Psm),
        new("large", "KV reuse on, the larger file", BenchKind.Typing, LargeFile: true),
        new("storm", "20 characters/s with no pause, then a pause; debounce on", BenchKind.Storm),
        new("accept", "typing the suggestion that is shown", BenchKind.Accept),
        new("stdio", "as reuse, over stdio to a codeassist serve process", BenchKind.Typing, Stdio: true),
        new("swap", "model swaps through the model setting, RSS after each", BenchKind.Swap),
        new("select", "model switches through codeAssist.selectModel; the first completion after each", BenchKind.Select),
    ];

    /// <summary>The mode of that name, or null.</summary>
    public static BenchMode? Find(string name) => All.FirstOrDefault(m => m.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
}
