using System.Globalization;

namespace CodeAssist.Tests.Models;

/// <summary>
/// The loss of predicting every token by its frequency in the training corpus (models/codeassist-unigram.tsv,
/// written by <c>tools.py unigram</c>), add-one smoothed so a token the corpus never had still has a probability.
/// A model that does not beat this clearly has learned nothing about context.
/// </summary>
public sealed class UnigramBaseline
{
    private readonly double[] _logProbability;

    private UnigramBaseline(long[] counts)
    {
        var total = counts.Sum() + counts.Length;
        _logProbability = counts.Select(c => Math.Log((c + 1.0) / total)).ToArray();
    }

    /// <summary>The vocabulary size the counts cover.</summary>
    public int VocabularySize => _logProbability.Length;

    /// <summary>Reads the committed counts; every id from 0 to the last must have exactly one line.</summary>
    public static UnigramBaseline Load(string path)
    {
        var counts = new List<long>();
        foreach (var line in File.ReadLines(path))
        {
            var fields = line.Split('\t');
            Assert.True(fields.Length == 2, $"{path}: malformed line '{line}'");
            Assert.Equal(counts.Count, int.Parse(fields[0], CultureInfo.InvariantCulture));
            counts.Add(long.Parse(fields[1], CultureInfo.InvariantCulture));
        }

        return new UnigramBaseline([.. counts]);
    }

    /// <summary>Mean negative log-likelihood (nats) of <paramref name="tokens"/> under the smoothed unigram distribution.</summary>
    public double MeanLoss(IEnumerable<int> tokens)
    {
        var sum = 0.0;
        var n = 0;
        foreach (var token in tokens)
        {
            sum -= _logProbability[token];
            n++;
        }

        return sum / n;
    }
}
