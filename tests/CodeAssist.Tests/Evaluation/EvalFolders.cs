namespace CodeAssist.Tests.Evaluation;

/// <summary>Small folders of Python written by the tests, each in a new temporary folder.</summary>
internal static class EvalFolders
{
    /// <summary>Four modules of repetitive assignments plus functions with and without docstrings.</summary>
    public static string Write()
    {
        var folder = Directory.CreateTempSubdirectory("codeassist-eval-").FullName;
        for (var f = 0; f < 4; f++)
        {
            File.WriteAllText(Path.Combine(folder, $"module{f}.py"), "import math\n\n" + string.Concat(Enumerable.Range(10, 40).Select(i =>
                $"value_{i} = compute({i}, {f})\n")) + Functions(f));
        }

        return folder;
    }

    /// <summary>Functions in every shape block sampling must handle.</summary>
    public static string Functions(int f) => $$""""


        def plain_{{f}}(a, b):
            total = a + b
            return total * {{f}}


        def documented_{{f}}(items):
            """Sums the items.

            Returns: the sum.
            """
            result = 0
            for item in items:
                result += item
            return result


        async def fetch_{{f}}(
            client,
            url: str,
        ) -> bytes:
            'One-line docstring.'
            response = await client.get(url)
            return response.body


        class Holder{{f}}:
            def method(self):
                r"""Raw docstring."""

                # A comment before the first statement.
                self.count = {{f}}
                return self


        def only_docstring_{{f}}():
            """Nothing but a docstring."""


        def one_liner_{{f}}(): return {{f}}

        """".Replace("\r\n", "\n", StringComparison.Ordinal);
}
