using CodeAssist.Server.Configuration;

namespace CodeAssist.Server.Routing;

/// <summary>What the router needs to know about a request before any model runs.</summary>
/// <param name="Invoked">The user asked explicitly.</param>
/// <param name="StartsBlock">The cursor starts a block or an empty function body.</param>
/// <param name="Options">The settings in force for this request.</param>
/// <param name="LocalTier">Offer the local model; without it the fallback tier answers alone (evaluation measures it so).</param>
public sealed record RouteRequest(bool Invoked, bool StartsBlock, CodeAssistOptions Options, bool LocalTier = true);
