#!/usr/bin/python3
"""Reference tools for checking our GGUF exports against llama.cpp (used by the C# model tests).

Everything is derived from the GGUF file itself (tokens, merges, config, weights), so no
models/train/.work/ folder is needed, except by `unigram`, which reads (or rebuilds) the
recipe's corpus tokens.

    /usr/bin/python3 models/train/tools.py tokenize GGUF FILE...       -> {"FILE": [ids...], ...}
    /usr/bin/python3 models/train/tools.py logits GGUF --ids 1,2,3     -> {"ids": [...], "logits": [[...], ...]}
    /usr/bin/python3 models/train/tools.py logits GGUF --text FILE     -> same, for the file's tokens
    /usr/bin/python3 models/train/tools.py metadata GGUF               -> {"scalars": {...}, "arrays": {...}}
    /usr/bin/python3 models/train/tools.py unigram                     -> writes models/codeassist-unigram.tsv
    /usr/bin/python3 models/train/tools.py grow GGUF --layers N --out OUT -> OUT: GGUF grown to N layers

Files are read as bytes and decoded as strict UTF-8 (a BOM stays in the text as U+FEFF).
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
REPO = os.path.dirname(os.path.dirname(HERE))

import gguf  # noqa: E402
from tokenizer import LLAMA_CPP_PRE, Tokenizer  # noqa: E402


def tokenizer_from_gguf(meta, path):
    """The recipe's tokenizer rebuilt from a GGUF's own vocabulary and merges."""
    model = meta.get("tokenizer.ggml.model")
    pre = meta.get("tokenizer.ggml.pre")
    if model != "gpt2" or pre != LLAMA_CPP_PRE:
        raise SystemExit(f"{path}: tokenizer {model}/{pre} is not ours (gpt2/{LLAMA_CPP_PRE})")
    merges = [tuple(m.split(" ")) for m in meta["tokenizer.ggml.merges"]]
    return Tokenizer(meta["tokenizer.ggml.tokens"], merges)


def config_from_gguf(meta, path):
    """The model.Config that a GGUF's llama.* metadata describes."""
    from model import Config
    if meta.get("general.architecture") != "llama":
        raise SystemExit(f"{path}: architecture {meta.get('general.architecture')} is not llama")
    ctx = int(meta["llama.context_length"])
    cfg = Config(vocab_size=len(meta["tokenizer.ggml.tokens"]),
                 dim=int(meta["llama.embedding_length"]),
                 n_layers=int(meta["llama.block_count"]),
                 n_heads=int(meta["llama.attention.head_count"]),
                 n_kv_heads=int(meta.get("llama.attention.head_count_kv", meta["llama.attention.head_count"])),
                 ffn_dim=int(meta["llama.feed_forward_length"]),
                 seq_len=ctx, ctx_export=ctx,
                 rope_base=float(meta.get("llama.rope.freq_base", 10000.0)),
                 norm_eps=float(meta["llama.attention.layer_norm_rms_epsilon"]))
    rope_dims = int(meta.get("llama.rope.dimension_count", cfg.head_dim))
    if rope_dims != cfg.head_dim:
        raise SystemExit(f"{path}: partial RoPE ({rope_dims} of {cfg.head_dim} dims) is not supported")
    return cfg


def read_utf8(path):
    with open(path, "rb") as f:
        raw = f.read()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise SystemExit(f"{path}: not valid UTF-8 ({e})")


def cmd_tokenize(args):
    header = gguf.read_gguf_header(args.gguf)
    tok = tokenizer_from_gguf(header.metadata, args.gguf)
    out = {p: tok.encode(read_utf8(p)) for p in args.files}
    json.dump(out, sys.stdout, separators=(",", ":"))


def cmd_logits(args):
    import torch
    from export import load_gguf_weights
    from model import Model
    torch.set_num_threads(args.threads)

    header = gguf.read_gguf_header(args.gguf)
    meta = header.metadata
    tok = tokenizer_from_gguf(meta, args.gguf)
    if args.ids is not None:
        ids = [int(x) for x in args.ids.split(",") if x.strip()]
    else:
        ids = tok.encode(read_utf8(args.text))
    cfg = config_from_gguf(meta, args.gguf)
    if not ids or len(ids) > cfg.seq_len:
        raise SystemExit(f"need 1..{cfg.seq_len} tokens (the model's context), got {len(ids)}")
    bad = [i for i in ids if not 0 <= i < cfg.vocab_size]
    if bad:
        raise SystemExit(f"token ids outside the vocabulary: {bad[:5]}")
    torch.manual_seed(0)  # the random init is overwritten; seeded only so nothing varies between runs
    model = Model(cfg)
    load_gguf_weights(model, tok, args.gguf)
    model.eval()
    with torch.no_grad():
        logits = model(torch.tensor([ids], dtype=torch.long))[0]
    rows = [[round(v, 5) for v in row] for row in logits.tolist()]
    json.dump({"ids": ids, "logits": rows}, sys.stdout, separators=(",", ":"))


def cmd_metadata(args):
    header = gguf.read_gguf_header(args.gguf)
    scalars = {}
    arrays = {}
    for key, value in header.metadata.items():
        t, et = header.types[key]
        if t == gguf.ARRAY:
            arrays[key] = {"type": gguf.TYPE_LABELS[et], "length": len(value)}
        else:
            scalars[key] = {"type": gguf.TYPE_LABELS[t], "value": value}
    json.dump({"scalars": scalars, "arrays": arrays, "tensors": len(header.tensors)}, sys.stdout, indent=1)


def cmd_unigram(args):
    import numpy as np
    import data

    meta = gguf.read_gguf_header(args.gguf).metadata
    vocab = len(meta["tokenizer.ggml.tokens"])
    expected = tokenizer_from_gguf(meta, args.gguf)
    log = lambda *a: print(*a, file=sys.stderr, flush=True)  # noqa: E731
    # The training corpus (v2) tokens the campaign cached; prepared from the committed manifest when absent.
    prep_dir = os.path.join(args.workdir, f"data-corpus2-v{vocab}")
    tok = data.prepare_v2(prep_dir, expected, log=log)
    if tok.tokens != expected.tokens or tok.merges != expected.merges:
        raise SystemExit(f"the corpus tokenizer in {prep_dir} differs from {args.gguf}'s")
    stream, _, _ = data.load_prepared(prep_dir)
    counts = np.bincount(stream.astype(np.int64), minlength=vocab)
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        for i, c in enumerate(counts.tolist()):
            f.write(f"{i}\t{c}\n")
    os.replace(tmp, args.out)
    print(f"{args.out}: {len(stream)} corpus v2 tokens, {int((counts > 0).sum())} of {vocab} ids seen", file=sys.stderr)


def cmd_grow(args):
    """Writes the function-preserving deeper copy of a GGUF that `train.py --grow-from` starts from."""
    import torch
    from export import export_gguf, grow_from_gguf
    from model import Model

    meta = gguf.read_gguf_header(args.gguf).metadata
    tok = tokenizer_from_gguf(meta, args.gguf)
    cfg = config_from_gguf(meta, args.gguf)
    cfg.n_layers = args.layers
    torch.manual_seed(0)
    model = Model(cfg)
    grow_from_gguf(model, tok, args.gguf)
    export_gguf(model, tok, args.out, meta.get("general.name", "grown"), args.dtype)
    print(f"{args.out}: {int(meta['llama.block_count'])} -> {args.layers} layers, {model.n_params()} params",
          file=sys.stderr)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("tokenize", help="token ids of files (special tokens not parsed), as JSON")
    p.add_argument("gguf")
    p.add_argument("files", nargs="+")
    p.set_defaults(run=cmd_tokenize)

    p = sub.add_parser("logits", help="PyTorch logits after each token, with the GGUF's weights, as JSON")
    p.add_argument("gguf")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--ids", help="comma-separated token ids (control tokens allowed)")
    src.add_argument("--text", help="a UTF-8 file, tokenized like `tokenize`")
    p.add_argument("--threads", type=int, default=1)
    p.set_defaults(run=cmd_logits)

    p = sub.add_parser("metadata", help="every metadata key: scalars with type and value, arrays with length")
    p.add_argument("gguf")
    p.set_defaults(run=cmd_metadata)

    p = sub.add_parser("unigram", help="unigram counts of the training corpus tokens -> TSV (id, count)")
    p.add_argument("--gguf", default=os.path.join(REPO, "models", "codeassist-py-tiny.gguf"),
                   help="model whose tokenizer the corpus must be tokenized with")
    p.add_argument("--workdir", default=os.path.join(HERE, ".work"), help="the recipe's work folder")
    p.add_argument("--out", default=os.path.join(REPO, "models", "codeassist-unigram.tsv"))
    p.set_defaults(run=cmd_unigram)

    p = sub.add_parser("grow", help="export a deeper copy that computes the same function (train.py --grow-from)")
    p.add_argument("gguf")
    p.add_argument("--layers", type=int, required=True, help="target layer count (a multiple of the source's)")
    p.add_argument("--out", required=True)
    p.add_argument("--dtype", default="f16", choices=["f32", "f16", "q8_0"])
    p.set_defaults(run=cmd_grow)

    args = ap.parse_args(argv)
    args.run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
