import os


def file_extension(path):
    """Return the extension of path without the dot."""
    return os.path.splitext(path)[1].lstrip(".")


# asserts
assert file_extension("report.pdf") == "pdf"
assert file_extension("/tmp/archive.tar.gz") == "gz"
assert file_extension("README") == ""
