using CodeAssist.Server.Configuration;

namespace CodeAssist.Server.Routing;

/// <summary>Why a request went to the fallback tier.</summary>
public enum EscalationReason
{
    /// <summary>The user asked for a completion explicitly.</summary>
    Invoked,

    /// <summary>The cursor starts a block or an empty function body: a multi-line answer is wanted.</summary>
    BlockStart,

    /// <summary>The local answer's mean log-probability was below the threshold.</summary>
    Unsure,

    /// <summary>The local answer was empty after post-processing.</summary>
    EmptyLocal,

    /// <summary>The local candidate failed the checks (it is not Python where it would go).</summary>
    Rejected,
}

/// <summary>Decides whether a request escalates to the fallback tier, before and after the local answer.</summary>
public static class EscalationPolicy
{
    /// <summary>The name of a reason in logs and in <c>codeAssist/stats</c>.</summary>
    public static string Name(EscalationReason reason) => reason switch
    {
        EscalationReason.Invoked => "invoked",
        EscalationReason.BlockStart => "blockStart",
        EscalationReason.Unsure => "unsure",
        EscalationReason.EmptyLocal => "emptyLocal",
        EscalationReason.Rejected => "rejected",
        _ => reason.ToString(),
    };

    /// <summary>A reason known before any model runs (both tiers then start at once), or null.</summary>
    public static EscalationReason? BeforeLocal(RoutingOptions routing, bool invoked, bool startsBlock) =>
        invoked && routing.EscalateOnInvoke ? EscalationReason.Invoked
        : startsBlock && routing.EscalateOnBlockStart ? EscalationReason.BlockStart
        : null;

    /// <summary>A reason found in the local answer (the fallback then runs after it), or null when it is good enough.</summary>
    public static EscalationReason? AfterLocal(RoutingOptions routing, string text, double startLogprob, bool rejected = false) =>
        rejected ? EscalationReason.Rejected
        : text.Length == 0 ? EscalationReason.EmptyLocal
        : startLogprob < routing.MinStartLogprob ? EscalationReason.Unsure
        : null;
}
