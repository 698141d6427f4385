namespace CodeAssist.Server.Routing;

/// <summary>The two tiers a request can be answered by.</summary>
public enum Tier
{
    /// <summary>The small in-process model.</summary>
    Local,

    /// <summary>The tier the router escalates to: a larger local model or a remote endpoint.</summary>
    Fallback,
}

/// <summary>The names of <see cref="Tier"/> in logs, statistics and the protocol.</summary>
public static class Tiers
{
    /// <summary>"local" or "fallback".</summary>
    public static string Name(Tier tier) => tier == Tier.Fallback ? "fallback" : "local";
}
