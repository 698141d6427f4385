def count_lines(path):
    """Return the number of lines in the file at path."""
    with open(path) as handle:
        return len(handle.readlines())


# asserts
with open("lines.txt", "w") as out:
    out.write("a\nb\nc\n")
assert count_lines("lines.txt") == 3
