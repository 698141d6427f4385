def strip_comment(line):
    """Return line without a trailing comment that starts with '#'."""
    return line.split("#", 1)[0].rstrip()


# asserts
assert strip_comment("x = 1  # one") == "x = 1"
assert strip_comment("y = 2") == "y = 2"
assert strip_comment("# all") == ""
