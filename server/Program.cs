using System.CommandLine;
using CodeAssist.Server.Cli;
using CodeAssist.Tools.Cli;

namespace CodeAssist.Server;

/// <summary>The <c>codeassist</c> executable: <c>serve</c> (the default), <c>complete</c>, <c>models</c>, and the tools' <c>eval</c> and <c>bench</c>.</summary>
public static class Program
{
    /// <summary>Parses the verb and runs it.</summary>
    public static int Main(string[] args)
    {
        var root = new RootCommand("CodeAssist: local-first AI code completion for Python. With no verb, serves LSP over stdin/stdout.");
        var serve = ServeCommand.Create();
        root.Add(serve);
        root.Add(CompleteCommand.Create());
        root.Add(ModelsCommand.Create());
        root.Add(EvalCommand.Create());
        root.Add(BenchCommand.Create());
        root.Add(ProbeModelCommand.Create());
        root.Action = serve.Action;

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                Console.Error.WriteLine($"codeassist: {error.Message}");
            }

            Console.Error.WriteLine("Run 'codeassist --help' for usage.");
            return ExitCodes.UsageError;
        }

        return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    }
}
