using System.Diagnostics;
using System.Text.Json;

namespace CodeAssist.Tools.Benchmarks;

/// <summary>One open document in a benchmark server, and where its cursor is: what an editor sends while a user types.</summary>
internal sealed class TypingSession(BenchServer server, string uri)
{
    private int _version = 1;

    public int Line { get; private set; }

    public int Character { get; private set; }

    public BenchLspClient Client => server.Client;

    /// <summary>Opens the document.</summary>
    public Task OpenAsync(BenchWorkload workload) =>
        Client.NotifyAsync("textDocument/didOpen", w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("textDocument");
            w.WriteString("uri", uri);
            w.WriteString("languageId", "python");
            w.WriteNumber("version", _version);
            w.WriteString("text", workload.Text);
            w.WriteEndObject();
            w.WriteEndObject();
        });

    /// <summary>
    /// Types the start of the region at the end of the file, each keystroke answered, then deletes it again: the
    /// server's code paths are compiled (the first mode in a process, and every stdio process) before anything is measured.
    /// </summary>
    public async Task WarmUpAsync(BenchWorkload workload, int keystrokes)
    {
        Line = workload.LineCount - 1;
        Character = 0;
        var (line, character) = (Line, Character);
        foreach (var key in Keys(workload.Region).Take(keystrokes))
        {
            await KeystrokeAsync(key).ConfigureAwait(false);
        }

        await DeleteBackToAsync(line, character).ConfigureAwait(false);
    }

    /// <summary>Deletes the workload's region and puts the cursor where it was.</summary>
    public async Task DeleteRegionAsync(BenchWorkload workload)
    {
        await Client.ChangeAsync(uri, ++_version, workload.RegionStartLine, 0, workload.RegionEndLine, 0, string.Empty).ConfigureAwait(false);
        Line = workload.RegionStartLine;
        Character = 0;
    }

    /// <summary>Inserts one keystroke's text at the cursor (didChange) and moves the cursor after it.</summary>
    public Task TypeAsync(string key)
    {
        var task = Client.ChangeAsync(uri, ++_version, Line, Character, Line, Character, key);
        Advance(key);
        return task;
    }

    /// <summary>Deletes the text between a position and the cursor, which moves there.</summary>
    public Task DeleteBackToAsync(int line, int character)
    {
        var task = Client.ChangeAsync(uri, ++_version, line, character, Line, Character, string.Empty);
        Line = line;
        Character = character;
        return task;
    }

    /// <summary>Asks for an inline completion at the cursor; <paramref name="id"/> is the request's id.</summary>
    public Task<JsonElement> CompleteAsync(out int id) => Client.InlineCompletionAsync(uri, Line, Character, out id);

    /// <summary>One keystroke as an editor sends it: didChange, then inlineCompletion; returns the answer and the time from sending the change to the answer.</summary>
    public async Task<(JsonElement Response, TimeSpan Latency)> KeystrokeAsync(string key)
    {
        var started = Stopwatch.GetTimestamp();
        await TypeAsync(key).ConfigureAwait(false);
        var response = await CompleteAsync(out _).ConfigureAwait(false);
        return (response, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>The keystrokes that type <paramref name="text"/>: one character each, a surrogate pair as one.</summary>
    public static IEnumerable<string> Keys(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                yield return text.Substring(i++, 2);
            }
            else
            {
                yield return text[i].ToString();
            }
        }
    }

    private void Advance(string key)
    {
        foreach (var c in key)
        {
            if (c == '\n')
            {
                Line++;
                Character = 0;
            }
            else
            {
                Character++;
            }
        }
    }
}
