#!/usr/bin/python3
"""Corpus v2: the Python standard library plus permissively licensed Python from Debian's binary packages.

    /usr/bin/python3 models/train/corpus.py build     # fetch, check, extract, filter; (re)writes the manifest
    /usr/bin/python3 models/train/corpus.py verify    # every file in the manifest present with its sha256

Packages are fetched without installing anything: `apt-get download NAME=VERSION`, the .deb's SHA256 checked
against `apt-cache show`, and only `usr/lib/python3/dist-packages/**.py` plus the package's copyright file taken
out of `dpkg-deb --fsys-tarfile`, into the gitignored work folder (models/train/.work/corpus-v2/). The committed
manifest (corpus-v2-manifest.tsv) pins every package's version, .deb hash and licence, says how many files and
bytes each filter removed, and lists every file used with its sha256. When a pinned version is no longer served
the builder takes the current one and records the change in the package's note; the file hashes say what moved.

Filters, in order (first match wins; the manifest counts each): test suites, migrations and vendored folders (by
path); files of packages whose top-level module is a held-out package (by name, as a first guard); over 500 KB, not
UTF-8, fewer than 3 content lines; any line over 1,000 characters; tables of constants (half the lines data);
files sharing half their content lines with the held-out code (by content: vendored copies under any name);
exact and near duplicates (80 % of the content lines already kept). Held out, never trained on: every .py file of
the evaluation interpreter's site-packages (its top-level packages are computed here, not typed in) and Debian's
python3-numpy (the quality guard's files), fetched the same way.
"""
import argparse
import collections
import fnmatch
import hashlib
import io
import os
import re
import subprocess
import sys
import tarfile

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_LIST = os.path.join(HERE, "corpus-packages.txt")
MANIFEST = os.path.join(HERE, "corpus-v2-manifest.tsv")
WORK = os.path.join(HERE, ".work", "corpus-v2")
STDLIB = "/usr/lib/python3.11"
EVAL_SITE_PACKAGES = "/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages"
HELDOUT_DEBS = ["python3-numpy"]
DIST = "usr/lib/python3/dist-packages/"

MAX_BYTES = 500_000
MAX_LINE = 1_000
HELDOUT_SHARE = 0.5
NEAR_DUP_SHARE = 0.8
COVER_SHARE = 0.4
MIN_CONTENT_LINES = 3

TEST_DIRS = {"test", "tests", "testing", "idle_test", "unittests", "functional_tests", "test_utils"}
MIGRATION_DIRS = {"migrations", "alembic_migrations", "migrate_repo", "versions_migrations"}
VENDOR_DIRS = {"_vendor", "vendor", "vendored", "_vendored", "extern", "externals", "_externals", "third_party",
               "_thirdparty", "thirdparty", "_lib_vendor", "bundled", "_bundled"}
CONTENT_REASONS = {"held-out name", "held-out content", "near duplicate", "duplicate", "data table", "long lines",
                   "over 500 KB"}

PERMISSIVE = re.compile(r"\b(bsd|mit|expat|apache|psf|python|isc|zlib|x11|hpnd|public[- ]domain|cc0|unlicense|"
                        r"boost|bsl|wtfpl|zope|zpl|repoze|historical|ncsa|sip|matplotlib|pil|w3c|ofl)", re.I)
COPYLEFT = re.compile(r"(\b|-)(a?gpl|lgpl|mpl|epl|cddl|eupl|cecill|osl|sleepycat|gfdl|cc-by-sa)", re.I)


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ------------------------------------------------------------------ licences
def _paragraphs(text):
    paras, cur = [], {}
    key = None
    for line in text.splitlines():
        if not line.strip():
            if cur:
                paras.append(cur)
            cur, key = {}, None
            continue
        if line[0] in " \t" and key:
            cur[key] += "\n" + line.strip()
            continue
        m = re.match(r"([A-Za-z0-9-]+):\s*(.*)", line)
        if m:
            key = m.group(1).lower()
            cur[key] = m.group(2).strip()
    if cur:
        paras.append(cur)
    return paras


GRANTS = [("permission to use, copy, modify, and distribute", r"permission to use, copy, modify,? and distribute"),
          ("permission is hereby granted, free of charge", r"permission is hereby granted, free of charge"),
          ("redistribution and use in source and binary forms", r"redistribution and use in source and binary forms"),
          ("PSF-style licence agreement", r"license agreement for \S+[\s\S]*nonexclusive, royalty-free")]


def _licence_text(paras, name, inline):
    """A licence's text: its inline body, or the stand-alone `License: NAME` paragraph that defines it."""
    if inline.strip():
        return inline
    for p in paras:
        if "files" not in p and "license" in p:
            lines = p["license"].splitlines()
            if lines and lines[0].strip() == name:
                return "\n".join(lines[1:])
    return ""


def read_licence(text):
    """((name, text) of the package's own files' licence, [(file patterns, (name, text))] of the other
    non-debian stanzas)."""
    paras = _paragraphs(text)
    if text.lstrip().lower().startswith("format:") and any("files" in p for p in paras):
        main, others = None, []
        for p in paras:
            if "files" not in p or "license" not in p:
                continue
            files = p["files"].split()
            lines = p["license"].splitlines()
            name = lines[0].strip()
            lic = (name, _licence_text(paras, name, "\n".join(lines[1:])))
            if main is None and "*" in files:
                main = lic
            elif all(f.startswith("debian/") for f in files):
                continue
            else:
                others.append((files, lic))
        if main is None and others:
            main = others[0][1]
        return main or ("unknown", ""), others
    # not machine-readable: the first licence the text states
    head = text[:6000]
    for name, pat in [("Apache-2.0", r"Apache License,? Version 2\.0|Apache-2"),
                      ("MIT", r"\bMIT\b|Permission is hereby granted, free of charge"),
                      ("BSD", r"\bBSD\b|Redistribution and use in source and binary forms"),
                      ("PSF", r"Python Software Foundation License|\bPSF\b"),
                      ("GPL", r"GNU (Lesser |Library )?General Public License|\bL?GPL")]:
        if re.search(pat, head):
            return (name, ""), []
    return ("unknown", text), []


def licence_label(lic):
    """The licence as the manifest states it; None when it is not permissive. A name we know decides: one
    alternative permissive and none of its parts copyleft ("Apache-2.0 or GPL-2+" is usable; "GPL-2+" and
    "BSD and GPL" are not). A name we do not know ("other", "Pyramid", none) is decided by its text: a
    permissive grant and no GNU licence in it."""
    name, body = lic
    for alt in re.split(r"\s+or\s+|\s*\|\s*", name, flags=re.I):
        if PERMISSIVE.search(alt) and not COPYLEFT.search(alt):
            return name
    if COPYLEFT.search(name) or not body or re.search(r"GNU|General Public License|copyleft", body, re.I):
        return None
    flat = " ".join(body.lower().split())
    for label, pat in GRANTS:
        if re.search(pat, flat):
            return f"{name or 'custom'} ({label})"
    return None


def is_permissive(lic):
    return licence_label(lic if isinstance(lic, tuple) else (lic, "")) is not None


def matches_stanza(rel, patterns):
    """Whether an installed path (relative to dist-packages) matches a copyright stanza's source patterns;
    source trees add leading folders (src/, the project name), so patterns also match without them."""
    for pat in patterns:
        parts = pat.split("/")
        for i in range(len(parts)):
            sub = "/".join(parts[i:])
            if sub in ("*", "") or (i > 0 and "/" not in sub and "*" in sub):
                break
            if fnmatch.fnmatchcase(rel, sub) or fnmatch.fnmatchcase(rel, sub.rstrip("/*") + "/*"):
                return True
    return False


# ------------------------------------------------------------------ apt
def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, **kw)


def apt_versions(name):
    """[(version, sha256)] served for a package, in apt-cache show's order (newest first)."""
    try:
        out = run(["apt-cache", "show", "--all-versions", name], text=True).stdout
    except subprocess.CalledProcessError as e:
        raise SystemExit(f"corpus: apt-cache show {name} failed ({e.stderr.strip()}); run `apt-get update` first")
    res = []
    for p in _paragraphs(out):
        if "version" in p and "sha256" in p:
            res.append((p["version"], p["sha256"]))
    if not res:
        raise SystemExit(f"corpus: {name} is not served here (apt-cache show found nothing; run `apt-get update`)")
    return res


def candidate_version(name):
    out = run(["apt-cache", "policy", name], text=True).stdout
    m = re.search(r"Candidate:\s*(\S+)", out)
    return m.group(1) if m and m.group(1) != "(none)" else None


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch(name, pinned, debs):
    """Downloads NAME at the pinned version (or the current one when the pin is no longer served) and checks
    its SHA256 against the archive's index. Returns (version, deb path, sha256, note)."""
    served = apt_versions(name)
    versions = dict(served)
    note = ""
    if pinned and pinned in versions:
        version = pinned
    else:
        version = candidate_version(name) or served[0][0]
        if pinned:
            note = f"pinned {pinned} no longer served; took {version}"
            log(f"corpus: {name}: {note}")
    want = versions[version]
    os.makedirs(debs, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9.+_-]", "_", f"{name}_{version}")
    path = os.path.join(debs, safe + ".deb")
    if not (os.path.exists(path) and sha256_file(path) == want):
        tmp = os.path.join(debs, ".download")
        os.makedirs(tmp, exist_ok=True)
        for f in os.listdir(tmp):
            os.remove(os.path.join(tmp, f))
        run(["apt-get", "download", "-q", f"{name}={version}"], cwd=tmp)
        got = [f for f in os.listdir(tmp) if f.endswith(".deb")]
        if len(got) != 1:
            raise SystemExit(f"corpus: apt-get download {name}={version} gave {got}")
        os.replace(os.path.join(tmp, got[0]), path)
    sha = sha256_file(path)
    if sha != want:
        os.remove(path)
        raise SystemExit(f"corpus: {name} {version}: .deb sha256 {sha} differs from apt-cache show's {want}")
    return version, path, sha, note


def extract(deb, name, dest):
    """Regular .py files under dist-packages -> dest/py/..., the copyright file -> dest/copyright.
    Returns the target of usr/share/doc/NAME when it is a link to another package's documentation."""
    proc = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb], stdout=subprocess.PIPE)
    doc_link = None
    os.makedirs(os.path.join(dest, "py"), exist_ok=True)
    with tarfile.open(fileobj=proc.stdout, mode="r|") as tar:
        for m in tar:
            path = m.name[2:] if m.name.startswith("./") else m.name
            if path.rstrip("/") == f"usr/share/doc/{name}" and m.issym():
                doc_link = os.path.basename(m.linkname.rstrip("/"))
                continue
            if not m.isfile():
                continue
            if path == f"usr/share/doc/{name}/copyright":
                target = os.path.join(dest, "copyright")
            elif path.startswith(DIST) and path.endswith(".py"):
                rel = path[len(DIST):]
                if ".." in rel.split("/"):
                    continue
                target = os.path.join(dest, "py", rel)
            else:
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with tar.extractfile(m) as src, open(target, "wb") as out:
                out.write(src.read())
    proc.stdout.close()
    if proc.wait() != 0:
        raise SystemExit(f"corpus: dpkg-deb --fsys-tarfile {deb} failed")
    return doc_link


# ------------------------------------------------------------------ filters
_STRING = re.compile(r"""[rbuRBUfF]{0,2}("([^"\\]|\\.)*"|'([^'\\]|\\.)*')""")
_WORD = re.compile(r"[A-Za-z_]{2,}")


def content_lines(text):
    """The lines that identify a file: stripped, at least 8 characters, not comments."""
    out = set()
    for line in text.splitlines():
        s = line.strip()
        if len(s) >= 8 and not s.startswith("#"):
            out.add(hashlib.blake2b(s.encode("utf-8", "surrogatepass"), digest_size=8).digest())
    return out


def is_data_line(line):
    s = _STRING.sub("S", line.strip()).split("#")[0].strip()
    if not s:
        return False
    # numbers, string literals and punctuation only (hex digits and exponents allowed)
    s = re.sub(r"\b0[xX][0-9a-fA-F]+\b|\b\d[\d_]*(\.\d*)?([eE][-+]?\d+)?[jJlL]?\b", "0", s)
    return not _WORD.search(s) and bool(re.search(r"[0S]", s))


def data_like(text):
    lines = [l for l in text.splitlines() if l.strip()]
    if len(lines) < 50:
        return False
    return sum(1 for l in lines if is_data_line(l)) >= 0.5 * len(lines)


def path_reason(rel):
    parts = rel.split("/")
    dirs, name = parts[:-1], parts[-1]
    if any(d in TEST_DIRS for d in dirs) or name.startswith("test_") or name.endswith("_test.py") \
            or name in ("conftest.py", "tests.py"):
        return "tests"
    if any(d in MIGRATION_DIRS for d in dirs):
        return "migrations"
    if any(d in VENDOR_DIRS for d in dirs):
        return "vendored"
    return None


class Filter:
    """Applies the content filters in order; keeps the state the duplicate filters need."""

    def __init__(self, heldout_lines, heldout_names):
        self.heldout = heldout_lines
        self.heldout_names = heldout_names
        self.kept_lines = set()
        self.kept_hashes = set()

    def reason(self, raw, rel=None):
        if rel is not None:
            top = rel.split("/")[0]
            top = top[:-3] if top.endswith(".py") else top
            if top in self.heldout_names:
                return "held-out name"
        if len(raw) > MAX_BYTES:
            return "over 500 KB"
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return "not utf-8"
        lines = content_lines(text)
        if len(lines) < MIN_CONTENT_LINES:
            return "trivial"
        if any(len(l) > MAX_LINE for l in text.splitlines()):
            return "long lines"
        if data_like(text):
            return "data table"
        if len(lines & self.heldout) >= HELDOUT_SHARE * len(lines):
            return "held-out content"
        h = hashlib.sha256(raw).digest()
        if h in self.kept_hashes:
            return "duplicate"
        if len(lines & self.kept_lines) >= NEAR_DUP_SHARE * len(lines):
            return "near duplicate"
        self.kept_hashes.add(h)
        self.kept_lines |= lines
        return None


# ------------------------------------------------------------------ held-out
def list_py(root):
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for f in filenames:
            p = os.path.join(dirpath, f)
            if f.endswith(".py") and os.path.isfile(p) and not os.path.islink(p):
                out.append(p)
    return sorted(out)


def top_level_names(site):
    """Top-level importable names of a site-packages folder: its packages, modules and the names its
    *.dist-info/top_level.txt and RECORD files declare."""
    names = set()
    if not os.path.isdir(site):
        return names
    for e in os.listdir(site):
        p = os.path.join(site, e)
        if e.endswith(".dist-info") or e.endswith(".egg-info"):
            tl = os.path.join(p, "top_level.txt")
            if os.path.exists(tl):
                with open(tl) as f:
                    names.update(l.strip() for l in f if l.strip())
            rec = os.path.join(p, "RECORD")
            if os.path.exists(rec):
                with open(rec) as f:
                    record = f.read().splitlines()
                for l in record:
                    first = l.split(",")[0].split("/")[0]
                    if first and not first.endswith((".dist-info", ".egg-info", ".pth")) and first != "..":
                        names.add(first[:-3] if first.endswith(".py") else first.split(".")[0])
        elif e.endswith(".py"):
            names.add(e[:-3])
        elif os.path.isdir(p) and e.isidentifier():
            names.add(e)
        elif e.endswith(".so"):
            names.add(e.split(".")[0])
    names.discard("__pycache__")
    return names


def heldout(work, log=log):
    """(content-line set, top-level names, [(path, content lines)] per file) of everything held out."""
    lines = set()
    per_file = []
    n = 0
    roots = []
    if os.path.isdir(EVAL_SITE_PACKAGES):
        roots.append(EVAL_SITE_PACKAGES)
    for name in HELDOUT_DEBS:
        version, deb, _sha, _ = fetch(name, None, os.path.join(work, "debs"))
        dest = os.path.join(work, "heldout", name)
        if not os.path.isdir(os.path.join(dest, "py")):
            extract(deb, name, dest)
        roots.append(os.path.join(dest, "py"))
    for root in roots:
        for p in list_py(root):
            with open(p, "rb") as f:
                raw = f.read()
            mine = content_lines(raw.decode("utf-8", "replace"))
            lines |= mine
            if len(mine) >= MIN_CONTENT_LINES:
                per_file.append((p, mine))
            n += 1
    names = top_level_names(EVAL_SITE_PACKAGES)
    for name in HELDOUT_DEBS:
        names |= set(os.listdir(os.path.join(work, "heldout", name, "py")))
    names = {x[:-3] if x.endswith(".py") else x for x in names}
    log(f"corpus: held out {n} files ({len(lines)} distinct content lines), {len(names)} top-level names")
    return lines, names, per_file


def covering(held_files, kept):
    """The other direction of the held-out filter: a corpus file that holds much of a held-out file (a derived or
    extended copy: ruamel.yaml's emitter holds two thirds of PyYAML's) shares less than half of *its own* lines with
    held-out code, so the forward filter keeps it. Returns {index in kept: held-out path} for the kept files that
    each hold at least COVER_SHARE of the content lines of a held-out file of 10 or more content lines. (Lines
    common to many files — `return self._value` — can cover a small held-out file together without any one file
    holding it; that is not a copy, and no file is dropped for it.)"""
    union = set()
    for _pkg, _rel, lines in kept:
        union |= lines
    drop = {}
    for path, hl in held_files:
        if len(hl) < 10 or len(hl & union) < COVER_SHARE * len(hl):
            continue
        for i, (_pkg, _rel, lines) in enumerate(kept):
            if i not in drop and len(lines & hl) >= COVER_SHARE * len(hl):
                drop[i] = path
    return drop


# ------------------------------------------------------------------ manifest
def read_manifest(path=MANIFEST):
    """{'packages': {name: (version, sha, licence, note)}, 'files': [(package, sha256, size, path)]}."""
    res = {"packages": {}, "files": [], "filters": []}
    if not os.path.exists(path):
        return res
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            cols = line.rstrip("\n").split("\t")
            if cols[0] == "P":
                res["packages"][cols[1]] = (cols[2], cols[3], cols[4], cols[5] if len(cols) > 5 else "")
            elif cols[0] == "F":
                res["files"].append((cols[1], cols[2], int(cols[3]), cols[4]))
            elif cols[0] == "X":
                res["filters"].append((cols[1], cols[2], int(cols[3]), int(cols[4])))
    return res


def file_path(package, rel, work=WORK):
    """Where a manifest file lives on this machine."""
    return rel if package == "stdlib" else os.path.join(work, "pkgs", package, "py", rel)


def package_sources(name, deb, sha, work=WORK):
    """Extracts a fetched package (once per .deb hash) and reads its licence. Returns (licence name, manifest
    label or None when the package is refused, [(path under dist-packages, path on disk)] of its .py files that
    no copyleft stanza of the copyright file covers, [(path, bytes)] of those it covers)."""
    dest = os.path.join(work, "pkgs", name)
    stamp = os.path.join(dest, ".extracted")
    done = ""
    if os.path.exists(stamp):
        with open(stamp) as f:
            done = f.read()
    if done != sha:
        subprocess.run(["rm", "-rf", dest], check=True)
        doc_link = extract(deb, name, dest)
        if doc_link and not os.path.exists(os.path.join(dest, "copyright")):
            # the documentation is another binary package's (same source): its copyright file applies
            _v, odeb, _s, _n = fetch(doc_link, None, os.path.join(work, "debs"))
            tmp = os.path.join(work, "pkgs", ".doc-" + doc_link)
            extract(odeb, doc_link, tmp)
            os.replace(os.path.join(tmp, "copyright"), os.path.join(dest, "copyright"))
            subprocess.run(["rm", "-rf", tmp], check=True)
        with open(stamp, "w") as f:
            f.write(sha)
    cp = os.path.join(dest, "copyright")
    text = ""
    if os.path.exists(cp):
        with open(cp, encoding="utf-8", errors="replace") as f:
            text = f.read()
    lic, others = read_licence(text)
    label = licence_label(lic)
    if label is None:
        return lic[0] or "unnamed", None, [], []
    copyleft = [pats for pats, l in others if licence_label(l) is None]
    files, dropped = [], []
    root = os.path.join(dest, "py")
    for p in list_py(root):
        rel = os.path.relpath(p, root)
        if any(matches_stanza(rel, pats) for pats in copyleft):
            dropped.append((rel, os.path.getsize(p)))
        else:
            files.append((rel, p))
    return lic[0], label, files, dropped


def build(work=WORK, manifest=MANIFEST, packages=None, include_stdlib=True, log=log):
    old = read_manifest(manifest)
    if packages is None:
        packages = [l.strip() for l in open(PACKAGE_LIST) if l.strip() and not l.startswith("#")]
    held_lines, held_names, held_files = heldout(work, log)
    flt = Filter(held_lines, held_names)
    pkg_rows, file_rows = [], []
    removed = collections.defaultdict(lambda: [0, 0])
    dropped = []
    kept_lines = []

    def consider(package, rel, path):
        with open(path, "rb") as f:
            raw = f.read()
        why = path_reason(rel) if package != "stdlib" else None
        why = why or flt.reason(raw, rel if package != "stdlib" else None)
        if why:
            removed[(package, why)][0] += 1
            removed[(package, why)][1] += len(raw)
            if why in CONTENT_REASONS:
                dropped.append((package, why, len(raw), rel))
            return
        file_rows.append((package, hashlib.sha256(raw).hexdigest(), len(raw), rel))
        kept_lines.append((package, rel, content_lines(raw.decode("utf-8"))))

    if include_stdlib:
        import data
        for p in data.list_py_files(STDLIB):
            consider("stdlib", p, p)
        pkg_rows.append(("stdlib", "python3.11 " + sys.version.split()[0], "-", "PSF-2.0", STDLIB))
    for name in sorted(packages):
        pinned = old["packages"].get(name, (None,))[0]
        version, deb, sha, note = fetch(name, pinned, os.path.join(work, "debs"))
        lic_name, label, files, licence_dropped = package_sources(name, deb, sha, work)
        if label is None:
            log(f"corpus: {name} refused: licence {lic_name!r} is not permissive")
            pkg_rows.append((name, version, sha, lic_name, (note + "; " if note else "") + "refused: licence not permissive"))
            removed[(name, "licence")][0] += 1
            continue
        pkg_rows.append((name, version, sha, label, note))
        for rel, size in licence_dropped:
            removed[(name, "file licence")][0] += 1
            removed[(name, "file licence")][1] += size
        for rel, p in files:
            consider(name, rel, p)
        log(f"corpus: {name} {version} ({label}): {sum(1 for r in file_rows if r[0] == name)} files kept")

    covers = covering(held_files, kept_lines)
    for i in sorted(covers):
        package, _sha, size, rel = file_rows[i]
        removed[(package, "covers held-out")][0] += 1
        removed[(package, "covers held-out")][1] += size
        dropped.append((package, "covers held-out", size, f"{rel} (covers {covers[i]})"))
    file_rows = [r for i, r in enumerate(file_rows) if i not in covers]
    log(f"corpus: {len(covers)} files dropped for covering half of a held-out file")
    total = sum(r[2] for r in file_rows)
    with open(manifest + ".tmp", "w", encoding="utf-8") as f:
        f.write("# Corpus v2 manifest, written by `models/train/corpus.py build` (see models/README.md).\n")
        f.write(f"# {len(file_rows)} files, {total} bytes, from {len(pkg_rows)} sources; "
                f"held out: {EVAL_SITE_PACKAGES} and {', '.join(HELDOUT_DEBS)} (content and top-level names)\n")
        f.write("#P\tpackage\tversion\tdeb sha256\tlicence (copyright file, Files: *)\tnote\n")
        for r in pkg_rows:
            f.write("P\t" + "\t".join(r) + "\n")
        f.write("#X\tpackage\tfilter\tfiles\tbytes\n")
        for (pkg, why), (n, b) in sorted(removed.items()):
            f.write(f"X\t{pkg}\t{why}\t{n}\t{b}\n")
        f.write("#D\tpackage\tfilter\tbytes\tpath (files dropped by content, for review)\n")
        for r in dropped:
            f.write(f"D\t{r[0]}\t{r[1]}\t{r[2]}\t{r[3]}\n")
        f.write("#F\tpackage\tsha256\tbytes\tpath (stdlib: absolute; packages: under dist-packages)\n")
        for r in file_rows:
            f.write(f"F\t{r[0]}\t{r[1]}\t{r[2]}\t{r[3]}\n")
    os.replace(manifest + ".tmp", manifest)
    log(f"corpus: {len(file_rows)} files, {total/1e6:.1f} MB -> {manifest}")
    return file_rows


def verify(work=WORK, manifest=MANIFEST):
    """Missing or changed files (package, path, reason); empty when the work folder matches the manifest."""
    bad = []
    for pkg, sha, _size, rel in read_manifest(manifest)["files"]:
        p = file_path(pkg, rel, work)
        if not os.path.exists(p):
            bad.append((pkg, rel, "missing"))
        elif sha256_file(p) != sha:
            bad.append((pkg, rel, "sha256 differs"))
    return bad


def ensure(work=WORK, manifest=MANIFEST, log=log):
    """The manifest's files, fetched when the work folder lacks them. Returns [(package, path on disk)].

    The campaign starts both trainers at once: on a fresh machine both would fetch into the same folder and one's
    apt-get download would see the other's half-written files, so fetching holds a lock on the work folder and the
    second trainer waits, then finds the folder complete."""
    import fcntl
    os.makedirs(work, exist_ok=True)
    with open(os.path.join(work, ".fetch.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        m = read_manifest(manifest)
        if not m["files"]:
            build(work, manifest, log=log)
        elif verify(work, manifest):
            log("corpus: work folder incomplete; fetching the pinned packages")
            build(work, manifest, log=log)
            bad = verify(work, manifest)
            if bad:
                log(f"corpus: {len(bad)} files moved since the manifest was written (see git diff of the manifest)")
    return [(pkg, file_path(pkg, rel, work)) for pkg, _sha, _size, rel in read_manifest(manifest)["files"]]


def bytes_per_source(m):
    per = collections.Counter()
    for pkg, _sha, size, _rel in m["files"]:
        per[pkg] += size
    return per


def notice(manifest=MANIFEST):
    """The NOTICE file's text: the project's licence, then every source of the training corpus with its licence."""
    m = read_manifest(manifest)
    per = bytes_per_source(m)
    out = ["CodeAssist",
           "Copyright 2026 the CodeAssist developers",
           "",
           "Licensed under the Apache License, Version 2.0 (see LICENSE).",
           "",
           "The models shipped in models/ (codeassist-py-*.gguf) were trained by models/train/ on the Python code of",
           "the sources below, as pinned in models/train/corpus-v2-manifest.tsv (Debian binary packages; the licence",
           "is the one each package's copyright file states for its files). No source code of these packages is",
           "distributed with CodeAssist; the models are offered under the Apache License, Version 2.0, like the rest.",
           "",
           f"{'source':<28}{'version':<30}{'MB used':>8}  licence"]
    for name, (version, _sha, lic, note) in sorted(m["packages"].items()):
        if "refused" in note:
            continue
        out.append(f"{name:<28}{version:<30}{per[name] / 1e6:>8.2f}  {lic}")
    return "\n".join(out) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["build", "verify", "summary", "notice"])
    ap.add_argument("--work", default=WORK)
    ap.add_argument("--manifest", default=MANIFEST)
    a = ap.parse_args(argv)
    if a.command == "build":
        build(a.work, a.manifest)
    elif a.command == "verify":
        bad = verify(a.work, a.manifest)
        for b in bad[:50]:
            print("\t".join(b))
        print(f"{len(bad)} files missing or changed")
        return 1 if bad else 0
    elif a.command == "notice":
        sys.stdout.write(notice(a.manifest))
    else:
        m = read_manifest(a.manifest)
        per = bytes_per_source(m)
        for name, (version, _sha, lic, note) in m["packages"].items():
            print(f"{name}\t{version}\t{lic}\t{per[name]/1e6:.2f} MB\t{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
