#!/usr/bin/python3
"""Writes core/Python/stdlib-names.txt: the names each standard-library module has, for the names check.

Regenerate (from the repository root, with the Python whose library the table describes; Debian's is 3.11):

    /usr/bin/python3 scripts/stdlib-names.py > core/Python/stdlib-names.txt

One line per module, sorted by module: the module's dotted name, a tab, then its names (dir() plus __all__) sorted
and separated by single spaces. Modules come from sys.stdlib_module_names, and packages are walked with pkgutil for
their submodules (os.path, xml.etree.ElementTree, email.mime.text, ...). Private modules (_x), tests, GUI and IDE
packages, __main__ modules (they run), lib2to3 (it may write grammar caches into the library), codecs under encodings, and the modules that
print or open things on import (this, antigravity) are left out, as is any module that fails to import here.
"""
import contextlib
import importlib
import io
import os
import pkgutil
import sys
import warnings

SKIPPED = {
    "antigravity", "this", "idlelib", "tkinter", "turtle", "turtledemo", "lib2to3", "test", "ensurepip",
    "pydoc_data", "xxlimited", "xxlimited_35", "xxsubtype",
}
NOT_WALKED = {"encodings"}


def skipped(name):
    parts = name.split(".")
    return (parts[0] in SKIPPED
            or any(part.startswith("_") and not part.startswith("__") for part in parts)
            or any(part in ("test", "tests", "idle_test", "__main__") for part in parts))


def load(name):
    sink = io.StringIO()
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            warnings.simplefilter("ignore")
            return importlib.import_module(name)
    except BaseException:  # noqa: BLE001 - a module that cannot be imported here is left out, whatever it raised
        return None


def main():
    table = {"builtins": set(dir(__builtins__))}
    pending = sorted(n for n in sys.stdlib_module_names if not skipped(n))
    while pending:
        name = pending.pop(0)
        if name in table:
            continue
        module = load(name)
        if module is None:
            continue
        table[name] = set(dir(module)) | set(getattr(module, "__all__", ()) or ())
        path = getattr(module, "__path__", None)
        if path is not None and name not in NOT_WALKED:
            for info in pkgutil.iter_modules(path):
                child = f"{name}.{info.name}"
                if not skipped(child):
                    pending.append(child)
    # os.path is a module under another name (posixpath) that no package walk finds.
    for name in ("os.path",):
        module = load(name)
        if module is not None:
            table[name] = set(dir(module))
    out = sys.stdout
    for name in sorted(table):
        names = sorted(n for n in table[name] if isinstance(n, str) and n.isidentifier())
        out.write(f"{name}\t{' '.join(names)}\n")


if __name__ == "__main__":
    main()
