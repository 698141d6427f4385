using CodeAssist.Server.Logging;
using CodeAssist.Tests.Testing;
using LLama.Native;
using Serilog.Events;

namespace CodeAssist.Tests.Logging;

/// <summary>llama.cpp's error lines about a decode we aborted (every superseded keystroke) are debug, not errors in the editor's output.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class ExpectedNativeErrorsTests
{
    [Fact]
    public void AnErrorLineIsDebugOnlyWhileTheDecodeOnThisThreadWasAskedToAbort()
    {
        Assert.Equal(LogEventLevel.Error, LoggingSetup.LevelOf(LLamaLogLevel.Error));
        var aborting = false;
        using (ExpectedNativeErrors.WhileDecoding(() => aborting))
        {
            Assert.Equal(LogEventLevel.Error, LoggingSetup.LevelOf(LLamaLogLevel.Error));
            aborting = true;
            Assert.Equal(LogEventLevel.Debug, LoggingSetup.LevelOf(LLamaLogLevel.Error));
            Assert.Equal(LogEventLevel.Information, LoggingSetup.LevelOf(LLamaLogLevel.Warning));

            // Another thread's errors are not this decode's.
            var elsewhere = LogEventLevel.Verbose;
            var thread = new Thread(() => elsewhere = LoggingSetup.LevelOf(LLamaLogLevel.Error));
            thread.Start();
            thread.Join();
            Assert.Equal(LogEventLevel.Error, elsewhere);
        }

        Assert.Equal(LogEventLevel.Error, LoggingSetup.LevelOf(LLamaLogLevel.Error));
    }
}
