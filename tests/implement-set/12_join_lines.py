def join_lines(lines):
    """Return the lines joined with newline characters."""
    return "\n".join(lines)


# asserts
assert join_lines(["a", "b"]) == "a\nb"
assert join_lines([]) == ""
