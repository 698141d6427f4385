"""Corpus listing, tokenizer/corpus preparation (cached) and training-sample generation."""
import collections
import hashlib
import json
import os
import random
import re

import numpy as np

from tokenizer import Tokenizer, pretokenize, train_bpe

STDLIB = "/usr/lib/python3.11"
# held-out evaluation code (third-party; never trained on)
EVAL_ROOTS = ["/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages", "/usr/lib/python3/dist-packages"]
SKIP_DIRS = {"site-packages", "dist-packages", "test", "tests", "idle_test", "testing", "__pycache__"}


def _is_test_file(name):
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"


def list_py_files(root):
    """Sorted .py files under root, excluding test suites and site/dist-packages."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.endswith(".dist-info"))
        for f in filenames:
            if f.endswith(".py") and not _is_test_file(f):
                p = os.path.join(dirpath, f)
                if os.path.isfile(p) and not os.path.islink(p):
                    out.append(p)
    return sorted(out)


def read_text(path):
    with open(path, "rb") as f:
        raw = f.read()
    try:
        return raw, raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw, None


def read_manifest(path):
    out = {}
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            sha, _size, p = line.split(None, 2)
            out[p.rstrip("\n")] = sha
    return out


def eval_files(n, seed=1234):
    for root in EVAL_ROOTS:
        if os.path.isdir(root):
            files = [p for p in list_py_files(root) if 2000 <= os.path.getsize(p) <= 200_000]
            return sorted(random.Random(seed).sample(files, min(n, len(files))))
    return []


def eval_windows(tok, workdir, n_files, n):
    """The held-out eval: one n-token window a third of the way into each of the sampled held-out files long
    enough; the file list goes to workdir/eval-files.txt."""
    ev = []
    ev_files = eval_files(n_files)
    for p in ev_files:
        _, text = read_text(p)
        if text is None:
            continue
        ids = tok.encode(text)
        if len(ids) < n:
            continue
        s = min(len(ids) // 3, len(ids) - n)
        ev.append(ids[s:s + n])
    with open(os.path.join(workdir, "eval-files.txt"), "w") as f:
        f.write("\n".join(ev_files) + "\n")
    return np.array(ev, dtype=np.int64)


def prepare(workdir, vocab_size, smoke=False, manifest_path=None, log=print):
    """Builds (once) tokenizer.json, corpus tokens and the eval sample under workdir."""
    os.makedirs(workdir, exist_ok=True)
    tok_path = os.path.join(workdir, "tokenizer.json")
    ids_path = os.path.join(workdir, "corpus.npy")
    docs_path = os.path.join(workdir, "docs.npy")
    eval_path = os.path.join(workdir, "eval.npy")
    if all(os.path.exists(p) for p in (tok_path, ids_path, docs_path, eval_path)):
        return Tokenizer.load(tok_path)

    files = list_py_files(STDLIB)
    expected = {}
    if smoke:
        files = [p for p in files if 1000 <= os.path.getsize(p) <= 20_000][:25]
    elif manifest_path and os.path.exists(manifest_path):
        # the committed manifest is the source of truth: same files on every machine
        expected = read_manifest(manifest_path)
        files = sorted(expected)
    texts = []
    lines = []
    for p in files:
        raw, text = read_text(p)
        if text is None or not text.strip():
            continue
        if expected and hashlib.sha256(raw).hexdigest() != expected[p]:
            raise SystemExit(f"corpus file {p} differs from {manifest_path}; delete the manifest to rebuild "
                             "the corpus from this machine's standard library (new tokenizer)")
        texts.append(text)
        lines.append(f"{hashlib.sha256(raw).hexdigest()}  {len(raw):>8}  {p}")
    manifest = ("# Training corpus: Python standard library .py files (test suites excluded)\n"
                f"# {len(lines)} files, {sum(len(t.encode()) for t in texts)} bytes; sha256  bytes  path\n"
                + "\n".join(lines) + "\n")
    for mp in [os.path.join(workdir, "corpus-manifest.txt")] + ([manifest_path] if manifest_path else []):
        with open(mp, "w") as f:
            f.write(manifest)
    log(f"corpus: {len(texts)} files, {sum(map(len, texts))/1e6:.1f}M chars")

    if os.path.exists(tok_path):
        tok = Tokenizer.load(tok_path)
    else:
        counts = collections.Counter()
        for t in texts:
            counts.update(pretokenize(t))
        log(f"bpe: {len(counts)} unique pre-tokens, learning merges for vocab {vocab_size}")
        tokens, merges = train_bpe(counts, vocab_size, log=log)
        tok = Tokenizer(tokens, merges)
        tok.save(tok_path)
        log(f"bpe: vocab {tok.vocab_size}, {len(merges)} merges")

    stream = []
    starts = []
    for t in texts:
        starts.append(len(stream))
        stream.extend(tok.encode(t))
        stream.append(tok.eot)
    arr = np.array(stream, dtype=np.uint16 if tok.vocab_size < 65536 else np.int32)
    docs = np.array(starts + [len(stream)], dtype=np.int64)
    log(f"corpus: {len(arr)/1e6:.2f}M tokens ({sum(map(len, texts))/len(arr):.2f} chars/token)")

    np.save(eval_path, eval_windows(tok, workdir, 8 if smoke else 64, 129 if smoke else 513))
    np.save(docs_path, docs)
    np.save(ids_path, arr)  # written last: marks preparation complete
    return tok


def _encode_files(args):
    tok_path, paths = args
    tok = Tokenizer.load(tok_path)
    out = []
    for p in paths:
        _raw, text = read_text(p)
        out.append(tok.encode(text) if text and text.strip() else None)
    return out


def prepare_v2(workdir, tok_from, processes=1, log=print):
    """Corpus v2 (corpus.py: the standard library plus permissive Debian packages, filtered) tokenized with
    the shipped models' tokenizer (`tok_from`, rebuilt from the shipped GGUF), cached under workdir; the
    held-out eval windows are the same as v1's, so losses compare across corpora."""
    import fcntl
    os.makedirs(workdir, exist_ok=True)
    # The campaign starts both trainers at once: one prepares, the other waits here and then loads what it wrote.
    with open(os.path.join(workdir, ".prepare.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _prepare_v2_locked(workdir, tok_from, processes, log)


def _prepare_v2_locked(workdir, tok_from, processes, log):
    import corpus
    tok_path = os.path.join(workdir, "tokenizer.json")
    ids_path = os.path.join(workdir, "corpus.npy")
    docs_path = os.path.join(workdir, "docs.npy")
    eval_path = os.path.join(workdir, "eval.npy")
    if all(os.path.exists(p) for p in (tok_path, ids_path, docs_path, eval_path)):
        return Tokenizer.load(tok_path)
    tok_from.save(tok_path)
    files = [p for _pkg, p in corpus.ensure(log=log)]
    log(f"corpus v2: {len(files)} files; tokenizing with {processes} process(es)")
    chunks = [files[i:i + 200] for i in range(0, len(files), 200)]
    if processes > 1:
        import multiprocessing
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            results = pool.map(_encode_files, [(tok_path, c) for c in chunks])
    else:
        results = [_encode_files((tok_path, c)) for c in chunks]
    parts, starts, n = [], [], 0
    for res in results:
        for ids in res:
            if ids is None:
                continue
            starts.append(n)
            parts.append(np.asarray(ids + [tok_from.eot], dtype=np.uint16))
            n += len(ids) + 1
    arr = np.concatenate(parts)
    docs = np.array(starts + [n], dtype=np.int64)
    log(f"corpus v2: {len(arr)/1e6:.2f}M tokens from {len(starts)} files")
    np.save(eval_path, eval_windows(tok_from, workdir, 64, 513))
    np.save(docs_path, docs)
    np.save(ids_path, arr)  # written last: marks preparation complete
    return tok_from


def load_prepared(workdir):
    return (np.load(os.path.join(workdir, "corpus.npy")), np.load(os.path.join(workdir, "docs.npy")),
            np.load(os.path.join(workdir, "eval.npy")))


# ---------------------------------------------------------------- FIM
# a def (its parameters may span lines and hold one level of brackets) whose body starts with a docstring
_DEF_WITH_DOCSTRING = re.compile(
    r'^(?P<ind>[ \t]*)(?:async[ \t]+)?def[ \t]+\w+[ \t]*\((?:[^()]|\([^()]*\))*\)[^:\n]*:[ \t]*\n'
    r'(?P<dind>[ \t]+)[rRuU]?(?P<q>"""|\'\'\')', re.M)


def function_bodies(text, max_lines=10):
    """Spans (start, end) of the bodies of documented functions in text: from the line after the docstring to the end
    of the body's last non-blank line (its newline included), only for bodies of 1..max_lines lines that end inside
    text (a later line dedents to the def's level). This is what "Implement function" and the block completions ask a
    model to write: the signature and docstring before, the rest of the file after."""
    spans = []
    for m in _DEF_WITH_DOCSTRING.finditer(text):
        ind, dind = m.group("ind"), m.group("dind")
        if len(dind) <= len(ind):
            continue
        close = text.find(m.group("q"), m.end())
        if close < 0:
            continue
        line_end = text.find("\n", close + 3)
        if line_end < 0 or text[close + 3:line_end].strip():
            continue
        start = pos = line_end + 1
        end, count, complete = start, 0, False
        while pos < len(text):
            nl = text.find("\n", pos)
            if nl < 0:
                break
            line = text[pos:nl]
            if line.strip():
                if len(line) - len(line.lstrip(" \t")) <= len(ind):
                    complete = True
                    break
                count += 1
                end = nl + 1
            pos = nl + 1
        if complete and 1 <= count <= max_lines:
            spans.append((start, end))
    return spans


# the share of body samples whose suffix is dropped: the function is the last thing in the file
BODY_AT_END_RATE = 0.25


def _split_fim(text, rng, body_rate=0.0):
    """Pick (prefix, middle, suffix) of text. Spans are cut at line ends or inside lines;
    the prefix never ends with spaces/tabs (the server strips them and requires the
    completion to start with them: token healing), so such whitespace goes to the middle.
    With probability body_rate the middle is the body of a documented function in text, when there is one
    (function_bodies): the implement action's and block completions' task; a quarter of those have no suffix, as
    when the function is the last thing in the file (a new function written at the end, the implement set's case)."""
    lines = text.splitlines(keepends=True)
    if body_rate > 0 and rng.random() < body_rate:
        spans = function_bodies(text)
        if spans:
            a, b = spans[int(rng.integers(0, len(spans)))]
            prefix, middle, suffix = text[:a], text[a:b], text[b:]
            if rng.random() < 0.2:
                middle, prefix = prefix[-1] + middle, prefix[:-1]
            if rng.random() < BODY_AT_END_RATE:
                suffix = ""
            return prefix, middle, suffix
    mode = rng.random()
    if len(lines) >= 2 and mode < 0.45:
        # whole lines (covers "cursor after indentation": middle starts with the indent)
        i = int(rng.integers(0, len(lines)))
        k = int(min(len(lines) - i, 1 + rng.geometric(0.35) - 1))
        a = sum(len(l) for l in lines[:i])
        b = a + sum(len(l) for l in lines[i:i + k])
        if rng.random() < 0.3 and b > a and text[b - 1] == "\n":
            b -= 1  # middle stops before the newline
    elif len(lines) >= 1 and mode < 0.8:
        # rest of a line (optionally plus following lines)
        i = int(rng.integers(0, len(lines)))
        a0 = sum(len(l) for l in lines[:i])
        body = lines[i].rstrip("\r\n")
        a = a0 + int(rng.integers(0, len(body) + 1))
        b = a0 + len(body)
        if rng.random() < 0.3:
            k = int(rng.integers(1, 4))
            b = a0 + sum(len(l) for l in lines[i:i + k])
    else:
        a, b = sorted(int(x) for x in rng.integers(0, len(text) + 1, size=2))
    prefix, middle, suffix = text[:a], text[a:b], text[b:]
    strip_nl = rng.random() < 0.2
    while prefix and (prefix[-1] in " \t" or (strip_nl and prefix[-1] in "\r\n")):
        middle = prefix[-1] + middle
        prefix = prefix[:-1]
    return prefix, middle, suffix


class Sampler:
    def __init__(self, tok, stream, docs, seq_len, fim_rate=0.5, spm_rate=0.5, seed=1337, body_rate=0.0):
        self.body_rate = body_rate
        self.tok = tok
        self.stream = stream
        self.docs = docs
        self.n = seq_len + 1
        self.fim_rate = fim_rate
        self.spm_rate = spm_rate
        self.seed = seed

    def fim_sample(self, rng, max_len, spm=None):
        tok = self.tok
        pos = int(rng.integers(0, len(self.stream) - 1))
        d = int(np.searchsorted(self.docs, pos, side="right")) - 1
        ds, de = int(self.docs[d]), int(self.docs[d + 1]) - 1  # exclude the EOT
        budget = max(16, int(rng.integers(max(16, max_len // 4), max_len + 1)) - 8)
        if de - ds > budget:
            ds = int(rng.integers(ds, de - budget + 1))
            de = ds + budget
        text = tok.decode(self.stream[ds:de].tolist())
        p, m, s = _split_fim(text, rng, self.body_rate)
        P, M, S = tok.encode(p), tok.encode(m), tok.encode(s)
        if spm is None:
            spm = rng.random() < self.spm_rate
        if spm:
            seq = [tok.fim_prefix, tok.fim_suffix] + S + [tok.fim_middle] + P + M + [tok.eot]
        else:
            seq = [tok.fim_prefix] + P + [tok.fim_suffix] + S + [tok.fim_middle] + M + [tok.eot]
        return seq

    def row(self, rng):
        buf = []
        if rng.random() < self.fim_rate:
            while self.n - len(buf) >= 96:
                buf += self.fim_sample(rng, self.n - len(buf))
        need = self.n - len(buf)
        if need > 0:
            pos = int(rng.integers(0, len(self.stream) - need))
            buf += self.stream[pos:pos + need].tolist()
        return buf[:self.n]

    def batch(self, step, batch_size):
        rng = np.random.default_rng([self.seed, step])
        return np.array([self.row(rng) for _ in range(batch_size)], dtype=np.int64)
