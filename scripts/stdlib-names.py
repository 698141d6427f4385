#!/usr/bin/python3
"""Writes core/Python/stdlib-names.txt: the names each standard-library module has, for the names check.

The table is the union of what every Python from 3.10 to 3.13 has (a name one version added, such as 3.12's
typing.override, must not be refused or "mended" to a neighbour for a user on that version; a name a later version
removed still exists for users of the earlier one). Regenerate from the repository root with each of them (here:
Debian's 3.11 and pyenv's 3.10, 3.12, 3.13; 3.10 is the first with sys.stdlib_module_names), then merge:

    for py in /usr/bin/python3 /root/.pyenv/versions/3.{10.13,12.1,13.0}/bin/python3; do
        $py scripts/stdlib-names.py > /tmp/stdlib-names-$($py -c 'import sys; print(sys.version_info[1])').txt
    done
    python3 scripts/stdlib-names.py --union /tmp/stdlib-names-*.txt > core/Python/stdlib-names.txt

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


def union(paths):
    table = {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                module, _, names = line.rstrip("\n").partition("\t")
                if module:
                    table.setdefault(module, set()).update(names.split())
    return table


def write(table):
    out = sys.stdout
    for name in sorted(table):
        names = sorted(n for n in table[name] if isinstance(n, str) and n.isidentifier())
        out.write(f"{name}\t{' '.join(names)}\n")


def main():
    if sys.argv[1:2] == ["--union"]:
        write(union(sys.argv[2:]))
        return
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
    write(table)


if __name__ == "__main__":
    main()
