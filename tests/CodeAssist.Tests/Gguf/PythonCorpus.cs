namespace CodeAssist.Tests.Gguf;

/// <summary>A few dozen lines of ordinary Python that the test models' BPE merges are learned from.</summary>
/// <remarks>Written for these tests; what matters is that keywords, indentation and common names recur often enough
/// to become merged tokens, so prompts tokenize into realistic, multi-byte tokens.</remarks>
public static class PythonCorpus
{
    public const string Text = """
        import os
        import sys
        import json
        from typing import Any, Dict, List, Optional


        class Inventory:
            def __init__(self, name: str, items: Optional[List[str]] = None) -> None:
                self.name = name
                self.items = items or []
                self.count = len(self.items)

            def add(self, item: str) -> None:
                self.items.append(item)
                self.count += 1

            def remove(self, item: str) -> bool:
                if item in self.items:
                    self.items.remove(item)
                    self.count -= 1
                    return True
                return False

            def find(self, prefix: str) -> List[str]:
                result = []
                for item in self.items:
                    if item.startswith(prefix):
                        result.append(item)
                return result

            def to_dict(self) -> Dict[str, Any]:
                return {"name": self.name, "items": list(self.items), "count": self.count}


        def load_config(path: str) -> Dict[str, Any]:
            if not os.path.exists(path):
                return {}
            with open(path, "r", encoding="utf-8") as handle:
                return json.load(handle)


        def save_config(path: str, config: Dict[str, Any]) -> None:
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(config, handle, indent=4)


        def fibonacci(n: int) -> int:
            if n < 2:
                return n
            return fibonacci(n - 1) + fibonacci(n - 2)


        def flatten(values: List[List[int]]) -> List[int]:
            result = []
            for row in values:
                for value in row:
                    result.append(value)
            return result


        def parse_args(argv: List[str]) -> Dict[str, str]:
            options = {}
            for arg in argv:
                if arg.startswith("--") and "=" in arg:
                    key, value = arg[2:].split("=", 1)
                    options[key] = value
            return options


        class Counter:
            def __init__(self) -> None:
                self.counts: Dict[str, int] = {}

            def add(self, word: str) -> None:
                self.counts[word] = self.counts.get(word, 0) + 1

            def most_common(self, limit: int = 10) -> List[str]:
                ordered = sorted(self.counts, key=self.counts.get, reverse=True)
                return ordered[:limit]


        def main() -> int:
            config = load_config(os.path.join(os.getcwd(), "config.json"))
            inventory = Inventory(config.get("name", "default"))
            for item in config.get("items", []):
                inventory.add(item)
            print(inventory.to_dict())
            if inventory.count == 0:
                print("empty", file=sys.stderr)
                return 1
            return 0


        if __name__ == "__main__":
            sys.exit(main())

        """;
}
