using System.Text;
using System.Text.Json;
using CodeAssist.Server.Completion;
using CodeAssist.Server.Inference;

namespace CodeAssist.Tools.Evaluation;

/// <summary>
/// One completion point's outcome as a line of JSON (<c>codeassist eval --points FILE</c>): the point, what was shown,
/// what a user would keep of it, and the chosen candidate's scores and token log-probabilities — the material for
/// deciding when a suggestion is worth showing.
/// </summary>
public static class EvalPointRecord
{
    /// <summary>The record of <paramref name="result"/> at <paramref name="sample"/> for contestant <paramref name="contestant"/>.</summary>
    public static string ToJsonLine(string contestant, EvalSample sample, CompletionResult result)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(result);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("contestant", contestant);
            writer.WriteString("kind", Reporting.EvalNames.Of(sample.Kind));
            writer.WriteString("file", sample.File);
            writer.WriteNumber("line", sample.Line + 1);
            writer.WriteString("typed", sample.Typed);
            writer.WriteString("expected", sample.Expected);
            writer.WriteString("shown", result.Text);
            writer.WriteNumber("keptChars", EvalMetrics.AcceptedChars(result.Text, sample.Expected));
            writer.WriteBoolean("firstLineExact", EvalMetrics.Score(sample.Kind, sample.Typed, result.Text, sample.Expected).FirstLineExactMatch);
            writer.WriteString("tier", result.Tier);
            writer.WriteString("source", result.Source);
            if (result.Generation is { } generation)
            {
                writer.WriteStartObject("generation");
                writer.WriteString("text", generation.Text);
                writer.WriteNumber("meanLogprob", Round(generation.MeanLogprob));
                writer.WriteNumber("minLogprob", Round(generation.MinLogprob));
                writer.WriteNumber("tokens", generation.GeneratedTokens);
                writer.WriteString("stop", StopReasons.Name(generation.StopReason));
                writer.WriteNumber("alternatives", generation.Alternatives.Count);
                writer.WriteStartArray("tokenScores");
                foreach (var token in generation.Tokens)
                {
                    writer.WriteStartArray();
                    writer.WriteNumberValue(token.End);
                    writer.WriteNumberValue(Round(token.Logprob));
                    writer.WriteEndArray();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static double Round(double value) => double.IsFinite(value) ? Math.Round(value, 4) : -99;
}
