def read_text(path):
    """Return the contents of the file at path."""
    with open(path) as handle:
        return handle.read()


# asserts
with open("sample.txt", "w") as out:
    out.write("hello\nworld\n")
assert read_text("sample.txt") == "hello\nworld\n"
