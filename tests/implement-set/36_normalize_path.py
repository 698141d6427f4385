import os


def normalize_path(path):
    """Return path with '.' and '..' components resolved, without touching the disk."""
    return os.path.normpath(path)


# asserts
assert normalize_path("a/./b/../c") == os.path.join("a", "c")
assert normalize_path("/x/y/..") == "/x"
