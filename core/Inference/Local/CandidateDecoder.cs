using System.Runtime.InteropServices;
using LLama.Native;

namespace CodeAssist.Server.Inference.Local;

/// <summary>
/// Generates the candidates of one request after its prompt is in the KV cache. The first candidate takes the best token
/// at every step (greedy, with the copy model); wherever another token is nearly as likely — within the request's
/// <see cref="CompletionRequest.BranchMargin"/> nats of the chosen one — a new candidate branches off with it, until the
/// request's <see cref="CompletionRequest.Candidates"/> are there. A sure model so decodes one candidate for the cost
/// of one, and an unsure one spends its extra decodes where it hesitated. Branches share the prompt's cells
/// (<see cref="KvCacheSession.Fork"/>) and decode together, one token each per batch; an end of generation that is
/// nearly as likely as the next token is a candidate too (the text so far), for free.
/// </summary>
internal sealed class CandidateDecoder(KvCacheSession session, ModelVocabulary vocabulary, TokenSampler sampler)
{
    /// <summary>
    /// Decodes from the prompt's last logits. <paramref name="required"/> is the healed text every candidate must start
    /// with; <paramref name="decoded"/>, when given, receives the first candidate's tokens (traces). The first of the
    /// result is the greedy candidate; the others follow in the order they branched off.
    /// </summary>
    public IReadOnlyList<Branch> Decode(
        int promptCount, byte[] required, CompletionRequest request, int maxTokens, List<int>? decoded, CancellationToken cancellationToken)
    {
        var wanted = Math.Clamp(request.Candidates, 1, session.Sequences);
        var root = new Branch(sequence: 0, position: promptCount, history: null) { LogitIndex = session.LastLogitIndex };
        var branches = new List<Branch> { root };
        var sequences = 1;
        var pending = new List<(Branch Branch, int Token)>();
        var step = new List<KvCacheSession.BranchToken>();
        var indices = new int[wanted];
        try
        {
            while (true)
            {
                pending.Clear();
                var count = branches.Count;
                for (var i = 0; i < count; i++)
                {
                    var branch = branches[i];
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

                    var logits = session.Logits(branch.LogitIndex);
                    var token = healing
                        ? TokenHealing.ArgMaxMatching(logits, required.AsSpan(branch.RequiredDone), vocabulary)
                        : sampler.ArgMax(logits, request.ForceLength);
                    var logprob = token < 0 ? double.NegativeInfinity : sampler.LogProbability(logits, token);
                    if (request.Copy is { } copy && token >= 0)
                    {
                        (token, logprob) = sampler.MixInCopy(
                            copy, logits, token, logprob, HistoryOf(branch), promptCount,
                            healing ? required.AsSpan(branch.RequiredDone) : default, healing, request.ForceLength);
                    }

                    if (token >= 0 && branches.Count < wanted && !request.ForceLength)
                    {
                        var alternative = healing
                            ? TokenHealing.ArgMaxMatching(logits, required.AsSpan(branch.RequiredDone), vocabulary, except: token)
                            : Alternative(logits, token);
                        var alternativeLogprob = alternative < 0 ? double.NegativeInfinity : sampler.LogProbability(logits, alternative);
                        if (alternativeLogprob >= logprob - request.BranchMargin)
                        {
                            var forked = Fork(branch, alternative, alternativeLogprob, ref sequences, maxTokens, branches);
                            if (forked is not null)
                            {
                                Advance(forked, alternative, alternativeLogprob, healing, required, request, pending);
                            }
                        }
                    }

                    Advance(branch, token, logprob, healing, required, request, pending);
                }

                if (pending.Count == 0)
                {
                    break;
                }

                step.Clear();
                foreach (var (branch, token) in pending)
                {
                    step.Add(new KvCacheSession.BranchToken(token, branch.Position, branch.Sequence));
                }

                session.Step(CollectionsMarshal.AsSpan(step), indices, cancellationToken);
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
        }
        finally
        {
            session.DropBranches(sequences);
        }

        return branches;
    }

    private ReadOnlySpan<int> HistoryOf(Branch branch) => branch.History is { } own ? CollectionsMarshal.AsSpan(own) : session.History;

    // The most likely token other than the chosen one.
    private int Alternative(ReadOnlySpan<float> logits, int chosen)
    {
        var best = -1;
        var bestValue = float.NegativeInfinity;
        for (var i = 0; i < vocabulary.Size; i++)
        {
            if (i != chosen && logits[i] > bestValue)
            {
                bestValue = logits[i];
                best = i;
            }
        }

        return best;
    }

    // A new candidate off `parent` that takes `alternative` instead of the parent's token: an end of generation is a
    // finished candidate (the parent's text so far, when there is any; the end's log-probability counts in its score, the
    // price of stopping there); a token needs a sequence and cells for the rest
    // of the branch. Null when neither fits.
    private Branch? Fork(Branch parent, int alternative, double logprob, ref int sequences, int maxTokens, List<Branch> branches)
    {
        if (vocabulary.Ends(alternative))
        {
            if (parent.Generated > parent.HealingTokens)
            {
                var stopped = parent.Copy(newSequence: -1, history: null);
                stopped.Finish(StopReason.EndToken, logprob);
                branches.Add(stopped);
            }

            return null;
        }

        var used = session.CachedCount;
        foreach (var branch in branches)
        {
            used += branch.Sequence > 0 ? branch.OwnTokens : 0;
        }

        var room = maxTokens - (parent.Generated - parent.HealingTokens);
        if (used + branches.Count + room > session.TotalCells)
        {
            return null;
        }

        var sequence = sequences++;
        session.Fork(parent.Sequence, sequence);
        var history = new List<int>(HistoryOf(parent).Length + room);
        history.AddRange(HistoryOf(parent));
        var forked = parent.Copy(sequence, history);
        branches.Add(forked);
        return forked;
    }

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

        /// <summary>Why it ended.</summary>
        public StopReason StopReason { get; private set; } = StopReason.Length;

        /// <summary>Whether it has ended.</summary>
        public bool Done { get; private set; }

        /// <summary>A new branch with this one's text and scores, in <paramref name="newSequence"/>.</summary>
        public Branch Copy(int newSequence, List<int>? history) => new(newSequence, Position, history)
        {
            Output = [.. Output],
            RequiredDone = RequiredDone,
            Generated = Generated,
            HealingTokens = HealingTokens,
            LogprobSum = LogprobSum,
            MinLogprob = MinLogprob,
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
            RequiredDone = Math.Min(requiredLength, RequiredDone + piece.Length);
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
