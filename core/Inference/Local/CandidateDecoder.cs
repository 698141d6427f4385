using System.Diagnostics;
using System.Runtime.InteropServices;
using LLama.Native;

namespace CodeAssist.Server.Inference.Local;

/// <summary>
/// Generates the candidates of one request after its prompt is in the KV cache. The first candidate takes the best token
/// at every step (greedy, with the copy model) and is decoded alone; on the way it notes where another token was nearly
/// as likely — within the request's <see cref="CompletionRequest.BranchMargin"/> nats of the chosen one. When it ends,
/// the caller's <see cref="CompletionRequest.Accept"/> may take it as it is (confident and checked: clearly ahead), and
/// nothing more is decoded; otherwise the closest of the noted alternatives, up to the request's
/// <see cref="CompletionRequest.Candidates"/>, branch off where they were seen: each in a sequence of its own that shares
/// the cells before that point (<see cref="KvCacheSession.Fork"/>), all decoded together, one token each per batch. An
/// end of generation that was nearly as likely is a candidate too (the text up to there), for free. A sure model so
/// costs what one candidate costs; an unsure one spends its extra decodes where it hesitated.
/// </summary>
internal sealed class CandidateDecoder(KvCacheSession session, ModelVocabulary vocabulary, TokenSampler sampler)
{
    private IReadOnlyList<CopySourceTokens>? _sources;
    private int[]? _healedTokens;
    private int[] _sourceHits = [];

    /// <summary>
    /// For the last <see cref="Decode"/>, per copy source: how many tokens the copy model took from it where the model
    /// alone would have chosen another.
    /// </summary>
    public IReadOnlyList<int> SourceHits => _sourceHits;

    /// <summary>
    /// Decodes from the prompt's last logits. <paramref name="required"/> is the healed text every candidate must start
    /// with; <paramref name="decoded"/>, when given, receives the first candidate's tokens (traces). The first of the
    /// result is the greedy candidate; the others follow, the closest alternative first. <paramref name="healedTokens"/>:
    /// the tokenizer's own tokens of the healed text by where they start (<see cref="TokenHealing.TokensAt"/>), or null.
    /// </summary>
    public IReadOnlyList<Branch> Decode(
        int promptCount, byte[] required, CompletionRequest request, int maxTokens, List<int>? decoded, CancellationToken cancellationToken,
        IReadOnlyList<CopySourceTokens>? sources = null, int[]? healedTokens = null)
    {
        var started = Stopwatch.GetTimestamp();
        _sources = sources;
        _healedTokens = healedTokens;
        _sourceHits = sources is { Count: > 0 } ? new int[sources.Count] : [];
        var wanted = Math.Clamp(request.Candidates, 1, session.Sequences);
        var root = new Branch(sequence: 0, position: promptCount, history: null) { LogitIndex = session.LastLogitIndex };
        var branches = new List<Branch> { root };
        var sampling = request.Sampling is { Count: > 0 } && !request.ForceLength ? new SampleStart() : null;
        var forks = wanted > 1 && !request.ForceLength && sampling is null ? new List<ForkPoint>() : null;
        var sequences = 1;
        try
        {
            Run([root], promptCount, required, request, maxTokens, forks, decoded, cancellationToken, sampling);
            if (sampling is { State: not null })
            {
                sequences = Math.Max(sequences, Sample(sampling, branches, required, request, maxTokens, started, cancellationToken));
                return branches;
            }

            if (forks is not { Count: > 0 }
                || (request.Accept is { } accept && accept(Utf8Output.DecodeAfter(root.Output, required.Length), ModelCompletion.StartOf(root.Tokens, required.Length), root.StopReason)))
            {
                return branches;
            }

            var live = new List<Branch>();
            foreach (var fork in forks.OrderByDescending(f => f.CopyOff).ThenBy(f => f.Gap).Take(wanted - 1))
            {
                if (vocabulary.Ends(fork.Token))
                {
                    if (fork.State.Generated > fork.State.HealingTokens)
                    {
                        var stopped = fork.State.Copy(newSequence: -1, history: null);
                        stopped.Finish(StopReason.EndToken, fork.Logprob);
                        branches.Add(stopped);
                    }

                    continue;
                }

                var room = maxTokens - (fork.State.Generated - fork.State.HealingTokens);
                if (session.CachedCount + live.Sum(b => b.OwnTokens) + ((live.Count + 1) * room) > session.TotalCells)
                {
                    break;
                }

                var sequence = sequences++;
                session.Fork(0, sequence, fork.State.Position);
                var branch = fork.State.Copy(sequence, [.. session.History[..fork.State.Position]]);
                branch.CopyOff = fork.CopyOff;
                branches.Add(branch);
                live.Add(branch);
                fork.Pending = branch;
            }

            // The alternatives' first tokens, then on together.
            var pending = new List<(Branch Branch, int Token)>();
            foreach (var fork in forks)
            {
                if (fork.Pending is { } branch)
                {
                    Advance(branch, fork.Token, fork.Logprob, fork.Healing, required, request, pending);
                }
            }

            Decode(pending, decoded: null, cancellationToken);
            Run(live, promptCount, required, request, maxTokens, forks: null, decoded: null, cancellationToken);
        }
        finally
        {
            session.DropBranches(sequences);
        }

        return branches;
    }

    // Sampled candidates (code actions): waves of as many branches as there are free sequences and cells, each forked
    // off where the first candidate's healed text ended, until the count or the time budget is reached. Returns the
    // most sequences a wave used, for the caller to drop.
    private int Sample(
        SampleStart start, List<Branch> branches, byte[] required, CompletionRequest request, int maxTokens, long started, CancellationToken cancellationToken)
    {
        var sampling = request.Sampling!;
        var deadline = started + (long)(sampling.Budget.TotalSeconds * Stopwatch.Frequency);
        var state = start.State!;
        var room = Math.Max(1, maxTokens - (state.Generated - state.HealingTokens));
        var used = 1;
        var next = 0;
        var pending = new List<(Branch Branch, int Token)>();
        while (next < sampling.Count && Stopwatch.GetTimestamp() < deadline)
        {
            // Bodies are usually far shorter than their budget; a wave that runs out of cells ends its longest branches.
            var free = session.TotalCells - session.CachedCount;
            var wave = Math.Min(Math.Min(sampling.Count - next, session.Sequences - 1), free / Math.Min(room, ExpectedSampleTokens));
            if (wave <= 0)
            {
                break;
            }

            var live = new List<Branch>(wave);
            var randoms = new Random[wave];
            pending.Clear();
            used = Math.Max(used, wave + 1);
            try
            {
                for (var i = 0; i < wave; i++)
                {
                    session.Fork(0, i + 1, state.Position);
                    var branch = state.Copy(i + 1, history: null);
                    randoms[i] = new Random(unchecked(sampling.Seed + next + i));
                    live.Add(branch);
                    branches.Add(branch);
                    var token = sampler.Sample(start.Logits, sampling.Temperature, sampling.TopP, randoms[i]);
                    var logprob = token < 0 ? double.NegativeInfinity : sampler.LogProbability(start.Logits, token);
                    Advance(branch, token, logprob, healing: false, required, request, pending);
                }

                next += wave;
                while (pending.Count > 0)
                {
                    Decode(pending, decoded: null, cancellationToken);
                    pending.Clear();
                    var late = Stopwatch.GetTimestamp() >= deadline;
                    var cells = session.CachedCount + live.Sum(b => b.OwnTokens);
                    for (var i = 0; i < live.Count; i++)
                    {
                        var branch = live[i];
                        if (branch.Done)
                        {
                            continue;
                        }

                        cancellationToken.ThrowIfCancellationRequested();
                        if (late || branch.Generated - branch.HealingTokens >= maxTokens)
                        {
                            branch.Finish(StopReason.Length);
                            continue;
                        }

                        if (cells + pending.Count + 1 > session.TotalCells)
                        {
                            branch.Finish(StopReason.ContextFull);
                            continue;
                        }

                        var logits = session.Logits(branch.LogitIndex);
                        var token = sampler.Sample(logits, sampling.Temperature, sampling.TopP, randoms[i]);
                        var logprob = token < 0 ? double.NegativeInfinity : sampler.LogProbability(logits, token);
                        Advance(branch, token, logprob, healing: false, required, request, pending);
                    }
                }
            }
            finally
            {
                session.DropBranches(wave + 1);
            }
        }

        return used;
    }

    /// <summary>Tokens a sampled candidate is expected to need, for sizing a wave (one that needs more may end early).</summary>
    private const int ExpectedSampleTokens = 96;

    // Decodes the live branches in lockstep until all have ended; with `forks`, notes where another token came close;
    // with `sampling`, keeps the first candidate's state and logits where its healed text ends (where samples start).
    private void Run(
        List<Branch> live, int promptCount, byte[] required, CompletionRequest request, int maxTokens, List<ForkPoint>? forks,
        List<int>? decoded, CancellationToken cancellationToken, SampleStart? sampling = null)
    {
        var pending = new List<(Branch Branch, int Token)>();
        while (true)
        {
            pending.Clear();
            foreach (var branch in live)
            {
                if (branch.Done)
                {
                    continue;
                }

                cancellationToken.ThrowIfCancellationRequested();
                var healing = branch.RequiredDone < required.Length;
                if (!healing && branch.Generated - branch.HealingTokens >= maxTokens)
                {
                    branch.Finish(StopReason.Length);
                    continue;
                }

                if (branch.Sequence > 0 && request.DropBelow is { } floor && branch.Output.Count >= required.Length + ModelCompletion.StartBytes
                    && ModelCompletion.StartOf(branch.Tokens, required.Length) < floor)
                {
                    // An alternative whose start is this unsure could not be shown: its decodes are better spent elsewhere.
                    branch.Drop();
                    continue;
                }

                var logits = session.Logits(branch.LogitIndex);
                if (sampling is { State: null } && !healing)
                {
                    sampling.State = branch.Copy(newSequence: -1, history: null);
                    sampling.Logits = logits[..vocabulary.Size].ToArray();
                }

                int? canonical = healing && _healedTokens is { } healedTokens ? healedTokens[branch.RequiredDone] : null;
                var token = healing
                    ? TokenHealing.ArgMaxMatching(logits, required.AsSpan(branch.RequiredDone), vocabulary, canonical: canonical)
                    : sampler.ArgMax(logits, request.ForceLength);
                var logprob = token < 0 ? double.NegativeInfinity : sampler.LogProbability(logits, token);
                var overridden = false;
                if (request.Copy is { } copy && token >= 0 && !branch.CopyOff)
                {
                    var modelToken = token;
                    var modelLogprob = logprob;
                    (token, logprob) = sampler.MixInCopy(
                        copy, logits, token, logprob, HistoryOf(branch), promptCount,
                        healing ? required.AsSpan(branch.RequiredDone) : default, healing, request.ForceLength, _sources, out var source, canonical);
                    if (source >= 0 && token != modelToken)
                    {
                        _sourceHits[source]++;
                    }

                    if (forks is not null && request.ForkWhereCopied && !healing && token != modelToken && !forks.Exists(f => f.CopyOff))
                    {
                        // Where the copy model first overrode the model, the model's own way on from there (without the copy
                        // model) is an alternative of its own, ahead of the close ones: text copied from elsewhere in the
                        // file can be wrong here (a parameter of another function), and this candidate costs no second decode.
                        forks.Add(new ForkPoint(branch.Copy(newSequence: -1, history: null), modelToken, modelLogprob, logprob - modelLogprob, Healing: false) { CopyOff = true });
                        overridden = true;
                    }
                }

                if (forks is not null && token >= 0 && !overridden)
                {
                    var alternative = healing
                        ? TokenHealing.ArgMaxMatching(logits, required.AsSpan(branch.RequiredDone), vocabulary, except: token, canonical: canonical)
                        : sampler.ArgMax(logits, except: token);
                    var alternativeLogprob = alternative < 0 ? double.NegativeInfinity : sampler.LogProbability(logits, alternative);
                    if (alternativeLogprob >= logprob - request.BranchMargin)
                    {
                        forks.Add(new ForkPoint(branch.Copy(newSequence: -1, history: null), alternative, alternativeLogprob, logprob - alternativeLogprob, healing));
                    }
                }

                Advance(branch, token, logprob, healing, required, request, pending);
            }

            if (pending.Count == 0)
            {
                return;
            }

            Decode(pending, decoded, cancellationToken);
        }
    }

    // One batch: each pending branch's token at its position in its sequence.
    private void Decode(List<(Branch Branch, int Token)> pending, List<int>? decoded, CancellationToken cancellationToken)
    {
        if (pending.Count == 0)
        {
            return;
        }

        var step = new KvCacheSession.BranchToken[pending.Count];
        for (var i = 0; i < pending.Count; i++)
        {
            step[i] = new KvCacheSession.BranchToken(pending[i].Token, pending[i].Branch.Position, pending[i].Branch.Sequence);
        }

        var indices = new int[pending.Count];
        session.Step(step, indices, cancellationToken);
        for (var i = 0; i < pending.Count; i++)
        {
            var (branch, token) = pending[i];
            branch.Position++;
            branch.LogitIndex = indices[i];
            branch.History?.Add(token);
            if (branch.Sequence == 0)
            {
                decoded?.Add(token);
            }
        }
    }

    private ReadOnlySpan<int> HistoryOf(Branch branch) => branch.History is { } own ? CollectionsMarshal.AsSpan(own) : session.History;

    // Takes `token` for `branch`: ends it, or queues the token for the next batch.
    private void Advance(
        Branch branch, int token, double logprob, bool healing, byte[] required, CompletionRequest request, List<(Branch, int)> pending)
    {
        if (token < 0 || vocabulary.Ends(token))
        {
            branch.Finish(token < 0 ? StopReason.NoToken : StopReason.EndToken);
            return;
        }

        if (!healing && request.MinTokenLogprob is { } floor && logprob < floor && branch.Generated > branch.HealingTokens)
        {
            // Past this point the model is guessing; a shorter suggestion that is right beats a longer one.
            branch.Finish(StopReason.LowConfidence);
            return;
        }

        branch.Take(logprob, healing, vocabulary.Piece(token), required.Length);
        if (branch.RequiredDone >= required.Length && request.StopWhen is { } stop && stop(Utf8Output.DecodeAfter(branch.Output, required.Length)))
        {
            branch.Finish(StopReason.StopCondition);
            return;
        }

        if (branch.Position + 1 >= session.ContextSize)
        {
            branch.Finish(StopReason.ContextFull);
            return;
        }

        pending.Add((branch, token));
    }

    /// <summary>Where sampled candidates start: the first candidate's state once its healed text is done, and the logits there.</summary>
    private sealed class SampleStart
    {
        public Branch? State { get; set; }

        public float[] Logits { get; set; } = [];
    }

    /// <summary>Where the first candidate nearly took another token: its state before that step, the token, how close it came.</summary>
    private sealed record ForkPoint(Branch State, int Token, double Logprob, double Gap, bool Healing)
    {
        /// <summary>The model's own token where the copy model overrode it: the branch goes on without the copy model.</summary>
        public bool CopyOff { get; init; }

        /// <summary>The branch made from it, whose first token is still to be taken.</summary>
        public Branch? Pending { get; set; }
    }

    /// <summary>One candidate being generated: its sequence in the KV cache, its text and its scores.</summary>
    internal sealed class Branch(int sequence, int position, List<int>? history)
    {
        /// <summary>Its sequence id (0: the first candidate, which shares the cache's history; -1: a finished copy with none).</summary>
        public int Sequence { get; } = sequence;

        /// <summary>The position of its next token.</summary>
        public int Position { get; set; } = position;

        /// <summary>The prompt and its tokens, for the copy model (null for sequence 0, whose history is the cache's).</summary>
        public List<int>? History { get; } = history;

        /// <summary>Where its last token's logits are in the last batch.</summary>
        public int LogitIndex { get; set; }

        /// <summary>The bytes it generated, the healed text first.</summary>
        public List<byte> Output { get; private init; } = [];

        /// <summary>How many bytes of the healed text it has produced.</summary>
        public int RequiredDone { get; private set; }

        /// <summary>Tokens generated, healing ones included.</summary>
        public int Generated { get; private set; }

        /// <summary>Tokens that produced the healed text.</summary>
        public int HealingTokens { get; private set; }

        /// <summary>Tokens decoded in its own sequence (after it branched off).</summary>
        public int OwnTokens { get; private set; }

        /// <summary>The sum of its tokens' log-probabilities.</summary>
        public double LogprobSum { get; private set; }

        /// <summary>Its least likely token's log-probability.</summary>
        public double MinLogprob { get; private set; }

        /// <summary>Each token's log-probability and where its bytes end in <see cref="Output"/> (the healed text first).</summary>
        public List<TokenScore> Tokens { get; private init; } = [];

        /// <summary>Why it ended.</summary>
        public StopReason StopReason { get; private set; } = StopReason.Length;

        /// <summary>Whether it has ended.</summary>
        public bool Done { get; private set; }

        /// <summary>Whether it goes on without the copy model (it branched off where the copy model overrode the model).</summary>
        public bool CopyOff { get; set; }

        /// <summary>A new branch with this one's text and scores, in <paramref name="newSequence"/>.</summary>
        public Branch Copy(int newSequence, List<int>? history) => new(newSequence, Position, history)
        {
            Output = [.. Output],
            RequiredDone = RequiredDone,
            Generated = Generated,
            HealingTokens = HealingTokens,
            LogprobSum = LogprobSum,
            MinLogprob = MinLogprob,
            Tokens = [.. Tokens],
        };

        /// <summary>Adds a token's bytes and log-probability.</summary>
        public void Take(double logprob, bool healing, ReadOnlySpan<byte> piece, int requiredLength)
        {
            LogprobSum += logprob;
            MinLogprob = Generated == 0 ? logprob : Math.Min(MinLogprob, logprob);
            Generated++;
            HealingTokens += healing ? 1 : 0;
            OwnTokens += Sequence > 0 ? 1 : 0;
            Output.AddRange(piece);
            Tokens.Add(new TokenScore(Output.Count, (float)logprob));
            RequiredDone = Math.Min(requiredLength, RequiredDone + piece.Length);
        }

        /// <summary>Whether it was dropped for being too unsure (<see cref="CompletionRequest.DropBelow"/>): not a candidate.</summary>
        public bool Dropped { get; private set; }

        /// <summary>Ends the branch as no candidate.</summary>
        public void Drop()
        {
            Dropped = true;
            Done = true;
        }

        /// <summary>Ends the branch; <paramref name="endLogprob"/>, when given, is the end token's log-probability, added to its score.</summary>
        public void Finish(StopReason reason, double endLogprob = 0)
        {
            LogprobSum += endLogprob;
            StopReason = reason;
            Done = true;
        }
    }
}
