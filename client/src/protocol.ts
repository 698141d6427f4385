// The server's custom protocol as the client sees it (see README, "The protocol"). No 'vscode' import:
// the pure modules and their unit tests use these types.

/** The two model tiers the server routes between. */
export type Tier = 'local' | 'fallback';

/** Server commands run with workspace/executeCommand. */
export const ServerCommand = {
  listModels: 'codeAssist.listModels',
  selectModel: 'codeAssist.selectModel',
  pullModel: 'codeAssist.pullModel',
  accepted: 'codeAssist.accepted',
} as const;

/** Custom methods. */
export const ServerMethod = {
  status: 'codeAssist/status',
  stats: 'codeAssist/stats',
} as const;

/** One model in the answer of codeAssist.listModels. */
export interface ModelEntry {
  id: string;
  label: string;
  tier: Tier;
  path?: string;
  endpoint?: string;
  sizeBytes?: number;
  family: string;
  fim: boolean;
  active: boolean;
  /** What a server model's name says it is ("FIM code model, by its name"), or why a server's models are missing. */
  note?: string;
  /** A catalog model not downloaded yet (no path; sizeBytes is the catalog's approximate size): codeAssist.pullModel downloads it. */
  downloadable?: boolean;
  license?: string;
}

/** The argument of codeAssist.selectModel. */
export interface SelectModelArgs {
  tier: Tier;
  id: string;
}

/** The argument of codeAssist.pullModel: a downloadable entry's id. */
export interface PullModelArgs {
  id: string;
}

/** What a tier is doing, as codeAssist/status reports it. */
export type TierState = 'loading' | 'ready' | 'error' | 'off';

export interface TierStatus {
  tier: Tier;
  model: string | null;
  state: TierState;
  message?: string;
  lastLatencyMs?: number;
  /** What the model check found, for people (FIM or not, family, a chat model, the self-test's answer). */
  check?: string;
  /** The check asks the user to act (no FIM, a chat model for ghost text, a self-test that answered nothing). */
  checkWarning?: boolean;
}

/** The params of the codeAssist/status notification. */
export interface StatusParams {
  tiers: TierStatus[];
}

/** One tier's figures in codeAssist/stats; latency percentiles are absent before the first call. */
export interface TierStats {
  calls: number;
  answers: number;
  p50Ms?: number | null;
  p95Ms?: number | null;
}

/** One model's suggestions in one tier: shown to the editor, and of those accepted. */
export interface SuggestionStats {
  shown: number;
  accepted: number;
}

/** The result of codeAssist/stats (core/Protocol/Stats.cs). */
export interface StatsResult {
  requests: number;
  cacheHits: number;
  typedThrough: number;
  accepted: number;
  cancelled: number;
  silenced?: number;
  rejected?: number;
  /** Automatic requests the local tier was unsure of, with no fallback to ask: nothing shown. */
  abstained?: number;
  derived?: number;
  /** Candidates the models proposed. */
  candidates?: number;
  /** Candidates the checks rejected, by check: syntax, names, repetition. */
  rejectedBy?: Record<string, number>;
  tiers: Record<string, TierStats>;
  /** Per tier, then per model id: suggestions shown and accepted (absent from older servers). */
  suggestions?: Record<string, Record<string, SuggestionStats>>;
  escalations: Record<string, number>;
  fallback: {
    kind: string;
    used: number;
    late: number;
    failed: number;
    failures: Record<string, number>;
    breaker: string;
  };
  /** Code actions, routed with the fallback first and counted apart from completions. */
  codeActions: {
    tiers: Record<string, TierStats>;
    used: number;
    late: number;
    failed: number;
    failures: Record<string, number>;
  };
}
