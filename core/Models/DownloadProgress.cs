using System.Globalization;

namespace CodeAssist.Server.Models;

/// <summary>How far a model download is, as <see cref="ModelDownloader"/> reports it.</summary>
/// <param name="Bytes">Bytes of the file on disk so far (a resumed download counts what it started with).</param>
/// <param name="TotalBytes">The file's size as the server announced it; null when it did not.</param>
/// <param name="BytesPerSecond">The transfer rate of this download so far (bytes received now over the time since it started).</param>
/// <param name="Verifying">True once every byte is on disk and the file is being checked.</param>
public readonly record struct DownloadProgress(long Bytes, long? TotalBytes, double BytesPerSecond, bool Verifying = false)
{
    /// <summary>0 to 100, when the size is known.</summary>
    public int? Percentage => TotalBytes is > 0 and var total ? (int)Math.Clamp(Bytes * 100 / total, 0, 100) : null;

    /// <summary>The time left at the current rate; null when the size or the rate is unknown.</summary>
    public TimeSpan? TimeLeft => TotalBytes is { } total && BytesPerSecond > 0 ? TimeSpan.FromSeconds(Math.Max(0, total - Bytes) / BytesPerSecond) : null;

    /// <summary>One line for people: <c>12.3 MB of 531 MB, 4.1 MB/s, 2 min left</c>.</summary>
    public string Describe()
    {
        if (Verifying)
        {
            return $"{FormatBytes(Bytes)}, verifying";
        }

        var parts = new List<string> { TotalBytes is { } total ? $"{FormatBytes(Bytes)} of {FormatBytes(total)}" : FormatBytes(Bytes) };
        if (BytesPerSecond > 0)
        {
            parts.Add(FormatBytes((long)BytesPerSecond) + "/s");
        }

        if (TimeLeft is { } left)
        {
            parts.Add(FormatDuration(left) + " left");
        }

        return string.Join(", ", parts);
    }

    /// <summary>Bytes in decimal units with three significant digits, as download pages state sizes: 6.14 MB, 531 MB, 1.65 GB.</summary>
    public static string FormatBytes(long bytes)
    {
        if (bytes < 1000)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{bytes} B");
        }

        string[] units = ["kB", "MB", "GB", "TB"];
        var value = (double)bytes;
        var unit = -1;
        do
        {
            value /= 1000;
            unit++;
        }
        while (value >= 1000 && unit < units.Length - 1);

        // Three significant digits can round up to 1000 (999.7 kB): move to the next unit then.
        if (ThreeDigits(value) >= 1000 && unit < units.Length - 1)
        {
            value /= 1000;
            unit++;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{ThreeDigits(value).ToString("0.##", CultureInfo.InvariantCulture)} {units[unit]}");
    }

    private static double ThreeDigits(double value) => Math.Round(value, value >= 100 ? 0 : value >= 10 ? 1 : 2);

    /// <summary>A time left, coarse as people read it: 40 s, 2 min, 1 h 5 min.</summary>
    public static string FormatDuration(TimeSpan duration) => duration.TotalSeconds switch
    {
        < 1 => "<1 s",
        < 90 => string.Create(CultureInfo.InvariantCulture, $"{Math.Round(duration.TotalSeconds):0} s"),
        < 3600 => string.Create(CultureInfo.InvariantCulture, $"{Math.Round(duration.TotalMinutes):0} min"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{(int)duration.TotalHours} h {duration.Minutes} min"),
    };
}
