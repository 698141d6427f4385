using System.Diagnostics;
using System.Globalization;
using CodeAssist.Tests.Models;
using CodeAssist.Tests.Testing;
using CodeAssist.Tools.Cli;

namespace CodeAssist.Tests.Cli;

/// <summary>
/// bench and eval pause the training campaign's trainers while they measure: real child processes stand in for
/// trainers (a Python loop in a file named train.py that appends a counter to a file every 50 ms), named by pid files
/// under a temporary repository root.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed class TrainerPauseTests : IDisposable
{
    private const string Loop = """
        import sys
        import time

        count = 0
        while True:
            count += 1
            with open(sys.argv[1], "a") as out:
                out.write(f"{count}\n")
            time.sleep(0.05)
        """;

    private readonly string _root = Directory.CreateTempSubdirectory("codeassist-trainer-").FullName;
    private readonly List<Process> _children = [];
    private readonly List<string> _log = [];

    private string Campaign => Path.Combine(_root, TrainerPause.CampaignFolder);

    public void Dispose()
    {
        foreach (var child in _children)
        {
            try
            {
                // SIGKILL ends a stopped process too.
                child.Kill(entireProcessTree: true);
                child.WaitForExit(5000);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            child.Dispose();
        }

        Directory.Delete(_root, recursive: true);
    }

    [LinuxFact]
    public async Task ATrainerIsStoppedWhileMeasuringAndRunsAgainAfter()
    {
        var (trainer, counter) = await StartTrainerAsync("tiny");

        var pause = TrainerPause.Start(_root, _log.Add, watchdog: false);
        Assert.Equal([trainer.Id], pause.Paused);
        Assert.True(await WaitForStateAsync(trainer.Id, state => state == 'T'), $"state {State(trainer.Id)}");
        var stopped = Lines(counter);
        await Task.Delay(400);
        Assert.Equal(stopped, Lines(counter));
        Assert.Contains(_log, line => line.Contains($"paused training (trainer pids {trainer.Id})", StringComparison.Ordinal));

        pause.Dispose();
        Assert.True(await WaitForStateAsync(trainer.Id, state => state != 'T'), $"state {State(trainer.Id)}");
        Assert.True(await WaitForAsync(() => Lines(counter) > stopped + 2), "the counter did not grow again");
        Assert.Contains(_log, line => line.Contains($"resumed training (trainer pids {trainer.Id})", StringComparison.Ordinal));

        // A second Dispose (the finally block, then ProcessExit) does nothing more.
        pause.Dispose();
        Assert.Equal(2, _log.Count);
    }

    [LinuxFact]
    public async Task StalePidsOtherProgramsAndStoppedTrainersAreLeftAlone()
    {
        // A process that has ended, a file that holds no pid, a program that is not train.py, a trainer someone else stopped.
        using var ended = Process.Start(new ProcessStartInfo("/bin/true") { UseShellExecute = false })!;
        await ended.WaitForExitAsync();
        Directory.CreateDirectory(Campaign);
        WritePid("stale", ended.Id);
        File.WriteAllText(Path.Combine(Campaign, "garbage.pid"), "not a pid\n");
        var sleeper = Start("/bin/sleep", "60");
        WritePid("other", sleeper.Id);
        var (stoppedElsewhere, stoppedCounter) = await StartTrainerAsync("small");
        Signal("STOP", stoppedElsewhere.Id);
        Assert.True(await WaitForStateAsync(stoppedElsewhere.Id, state => state == 'T'));
        var (running, _) = await StartTrainerAsync("tiny");

        using (var pause = TrainerPause.Start(_root, _log.Add, watchdog: false))
        {
            Assert.Equal([running.Id], pause.Paused);
            Assert.NotEqual('T', State(sleeper.Id));
        }

        // Resuming touched only what it paused: the trainer stopped before stays stopped.
        Assert.True(await WaitForStateAsync(running.Id, state => state != 'T'));
        var lines = Lines(stoppedCounter);
        await Task.Delay(300);
        Assert.Equal('T', State(stoppedElsewhere.Id));
        Assert.Equal(lines, Lines(stoppedCounter));
        Assert.NotEqual('T', State(sleeper.Id));
    }

    [Fact]
    public void TheCommandsFindThisRepositorysCampaignFromTheShippedModelsFolder() =>
        Assert.Equal(Path.GetFullPath(RepositoryPaths.Root), TrainerPause.FindRepositoryRoot());

    [LinuxFact]
    public void WithNoCampaignFolderNothingIsPausedOrLogged()
    {
        using var pause = TrainerPause.Start(_root, _log.Add);
        Assert.Empty(pause.Paused);
        pause.Dispose();
        Assert.Empty(_log);
    }

    [LinuxFact]
    public async Task WhenTheMeasuringProcessDiesTheWatchdogResumesTheTrainer()
    {
        var (trainer, counter) = await StartTrainerAsync("tiny");

        // The watchdog watches a stand-in for the measuring process, which dies without resuming anything.
        var measuring = Start("/bin/sleep", "60");
        var pause = TrainerPause.Start(_root, _log.Add, watchdog: true, watchdogParent: measuring.Id);
        Assert.True(await WaitForStateAsync(trainer.Id, state => state == 'T'));
        var stopped = Lines(counter);
        await Task.Delay(1500);
        Assert.Equal('T', State(trainer.Id));

        measuring.Kill();
        await measuring.WaitForExitAsync();
        Assert.True(await WaitForStateAsync(trainer.Id, state => state != 'T'), "the watchdog did not resume the trainer");
        Assert.True(await WaitForAsync(() => Lines(counter) > stopped));
        pause.Dispose();
    }

    private async Task<(Process Trainer, string Counter)> StartTrainerAsync(string config)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_root, "run-" + config)).FullName;
        var script = Path.Combine(folder, "train.py");
        var counter = Path.Combine(folder, "counter.txt");
        File.WriteAllText(script, Loop);
        var trainer = Start("/usr/bin/python3", script, counter);
        Directory.CreateDirectory(Campaign);
        WritePid(config, trainer.Id);
        Assert.True(await WaitForAsync(() => Lines(counter) >= 2), "the stand-in trainer did not start counting");
        return (trainer, counter);
    }

    private Process Start(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info)!;
        _children.Add(process);
        return process;
    }

    private void WritePid(string config, int pid) =>
        File.WriteAllText(Path.Combine(Campaign, config + ".pid"), pid.ToString(CultureInfo.InvariantCulture) + "\n");

    private static void Signal(string signal, int pid)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { UseShellExecute = false, ArgumentList = { "-" + signal, pid.ToString(CultureInfo.InvariantCulture) } })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    private static char? State(int pid) => TrainerPause.ReadStat(pid)?.State;

    private static int Lines(string file)
    {
        try
        {
            return File.ReadAllLines(file).Length;
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }

    private static Task<bool> WaitForStateAsync(int pid, Func<char?, bool> condition) => WaitForAsync(() => condition(State(pid)));

    private static async Task<bool> WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200; i++)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(50);
        }

        return condition();
    }
}
