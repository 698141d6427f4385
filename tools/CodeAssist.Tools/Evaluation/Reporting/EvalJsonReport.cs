using System.Text.Json;

namespace CodeAssist.Tools.Evaluation.Reporting;

/// <summary>The report as JSON, for machines (the shape is documented in README, "Is the small model enough for my code?").</summary>
public static class EvalJsonReport
{
    /// <summary>The version of the shape; raised when a field changes meaning or goes away.</summary>
    public const int Version = 2;

    /// <summary>The report as indented UTF-8 JSON.</summary>
    public static byte[] ToJson(EvalReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            var corpus = report.Corpus;
            writer.WriteStartObject();
            writer.WriteNumber("version", Version);
            writer.WriteString("folder", report.Folder);
            writer.WriteNumber("seed", report.Seed);
            writer.WriteStartArray("trainerPaused");
            foreach (var pid in report.TrainerPaused)
            {
                writer.WriteNumberValue(pid);
            }

            writer.WriteEndArray();
            writer.WriteNumber("samplesPerKind", corpus.PerKind);
            writer.WriteStartObject("samples");
            foreach (var (kind, count) in corpus.SamplesByKind)
            {
                writer.WriteNumber(EvalNames.Of(kind), count);
            }

            writer.WriteEndObject();
            writer.WriteStartObject("files");
            writer.WriteNumber("read", corpus.FilesRead);
            writer.WriteNumber("skipped", corpus.FilesSkipped);
            writer.WriteStartObject("skippedByReason");
            foreach (var (reason, count) in corpus.SkippedByReason)
            {
                writer.WriteNumber(EvalNames.Of(reason), count);
            }

            writer.WriteEndObject();
            writer.WriteStartArray("skippedFiles");
            foreach (var skipped in corpus.Skipped)
            {
                writer.WriteStartObject();
                writer.WriteString("file", skipped.File);
                writer.WriteString("reason", EvalNames.Of(skipped.Reason));
                writer.WriteString("detail", skipped.Detail);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteStartArray("contestants");
            foreach (var c in report.Contestants)
            {
                WriteContestant(writer, c);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("paired");
            foreach (var p in PairedComparison.Against(report))
            {
                writer.WriteStartObject();
                writer.WriteString("contestant", p.Contestant);
                writer.WriteString("reference", p.Reference);
                writer.WriteString("kind", EvalNames.Of(p.Kind));
                writer.WriteNumber("points", p.Points);
                writer.WriteNumber("meanEditSimilarityDifference", Math.Round(p.MeanDifference, 4));
                writer.WriteNumber("ci95Low", Math.Round(p.Low, 4));
                writer.WriteNumber("ci95High", Math.Round(p.High, 4));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteContestant(Utf8JsonWriter writer, ContestantResult c)
    {
        writer.WriteStartObject();
        writer.WriteString("name", c.Name);
        writer.WriteString("kind", EvalNames.Of(c.Kind));
        writer.WriteString("status", EvalNames.Of(c.Status));
        writer.WriteString("error", c.Error);
        writer.WriteString("model", c.Model);
        writer.WriteString("path", c.Path);
        WriteNumber(writer, "parameters", c.Parameters);
        WriteNumber(writer, "fileSizeBytes", c.FileSizeBytes);
        WriteNumber(writer, "lossPerToken", c.LossPerToken, 4);
        writer.WriteNumber("lossTokens", c.LossTokens);
        WriteNumber(writer, "tokensPerSecond", c.TokensPerSecond, 1);
        writer.WriteStartArray("kinds");
        foreach (var k in c.Kinds)
        {
            writer.WriteStartObject();
            writer.WriteString("kind", EvalNames.Of(k.Kind));
            writer.WriteNumber("samples", k.Samples);
            writer.WriteNumber("exactMatch", Math.Round(k.ExactMatch, 4));
            writer.WriteNumber("firstLineExactMatch", Math.Round(k.FirstLineExactMatch, 4));
            writer.WriteNumber("editSimilarity", Math.Round(k.EditSimilarity, 4));
            writer.WriteNumber("latencyP50Ms", Math.Round(k.LatencyP50Ms, 1));
            writer.WriteNumber("latencyP95Ms", Math.Round(k.LatencyP95Ms, 1));
            WriteNumber(writer, "escalationShare", k.EscalationShare, 4);
            WriteNumber(writer, "fallbackShare", k.FallbackShare, 4);
            if (k.PointEditSimilarity is { } points)
            {
                writer.WriteStartArray("pointEditSimilarity");
                foreach (var point in points)
                {
                    writer.WriteNumberValue(Math.Round(point, 4));
                }

                writer.WriteEndArray();
            }

            if (k.Implement is { } implement)
            {
                writer.WriteStartObject("implement");
                writer.WriteNumber("written", Math.Round(implement.Written, 4));
                writer.WriteNumber("syntaxValid", Math.Round(implement.SyntaxValid, 4));
                writer.WriteStartObject("failures");
                foreach (var (reason, count) in implement.Failures.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    writer.WriteNumber(reason, count);
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            if (k.Acceptance is { } acceptance)
            {
                writer.WriteStartObject("acceptance");
                writer.WriteNumber("shown", Math.Round(acceptance.Shown, 4));
                writer.WriteNumber("exactAmongShown", Math.Round(acceptance.ExactAmongShown, 4));
                writer.WriteNumber("noise", Math.Round(acceptance.Noise, 4));
                writer.WriteNumber("acceptedCharsPerPoint", Math.Round(acceptance.AcceptedCharsPerPoint, 3));
                writer.WriteNumber("falseRejections", Math.Round(acceptance.FalseRejections, 4));
                writer.WriteEndObject();
            }

            if (k.PointScores is { } pointScores)
            {
                writer.WriteStartArray("pointScores");
                foreach (var score in pointScores)
                {
                    if (score is { } value && double.IsFinite(value))
                    {
                        writer.WriteNumberValue(Math.Round(value, 4));
                    }
                    else
                    {
                        writer.WriteNullValue();
                    }
                }

                writer.WriteEndArray();
            }

            if (k.PointKeptChars is { } keptChars)
            {
                writer.WriteStartArray("pointKeptChars");
                foreach (var kept in keptChars)
                {
                    writer.WriteNumberValue(kept);
                }

                writer.WriteEndArray();
            }

            if (k.PointFirstLineExact is { } exact)
            {
                writer.WriteStartArray("pointFirstLineExact");
                foreach (var value in exact)
                {
                    writer.WriteBooleanValue(value);
                }

                writer.WriteEndArray();
            }

            if (k.PointCompletions is { } completions)
            {
                writer.WriteStartArray("pointCompletions");
                foreach (var completion in completions)
                {
                    writer.WriteStringValue(completion);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (c.Routing is { } routing)
        {
            writer.WriteStartObject("routing");
            writer.WriteString("local", routing.Local);
            writer.WriteString("fallback", routing.Fallback);
            writer.WriteNumber("requests", routing.Requests);
            writer.WriteNumber("escalated", routing.Escalated);
            writer.WriteNumber("escalationShare", Math.Round(routing.EscalationShare, 4));
            WriteCounts(writer, "reasons", routing.Reasons);
            writer.WriteNumber("fallbackUsed", routing.FallbackUsed);
            writer.WriteNumber("fallbackLate", routing.FallbackLate);
            writer.WriteNumber("fallbackFailed", routing.FallbackFailed);
            WriteCounts(writer, "failures", routing.Failures);
            writer.WriteEndObject();
        }
        else
        {
            writer.WriteNull("routing");
        }

        if (c.Failures is { } failures)
        {
            WriteCounts(writer, "failures", failures);
        }

        writer.WriteEndObject();
    }

    private static void WriteCounts(Utf8JsonWriter writer, string name, IReadOnlyDictionary<string, long> counts)
    {
        writer.WriteStartObject(name);
        foreach (var (key, count) in counts.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            writer.WriteNumber(key, count);
        }

        writer.WriteEndObject();
    }

    private static void WriteNumber(Utf8JsonWriter writer, string name, double? value, int decimals)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, Math.Round(v, decimals));
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WriteNumber(Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
