Console.Error.WriteLine("codeassist");
