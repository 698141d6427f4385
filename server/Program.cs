using System.CommandLine;
using CodeAssist.Server.Cli;

namespace CodeAssist.Server;

/// <summary>The <c>codeassist</c> executable: <c>serve</c> (the default) and the CLI verbs.</summary>
public static class Program
{
    /// <summary>Exit code for a command line that doesn't parse.</summary>
    public const int UsageError = 2;

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
        root.Action = serve.Action;

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                Console.Error.WriteLine($"codeassist: {error.Message}");
            }

            Console.Error.WriteLine("Run 'codeassist --help' for usage.");
            return UsageError;
        }

        return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    }
}
