#!/usr/bin/python3
"""Training-speed measurements that choose the recipe's settings (numbers in models/README.md).

    OMP_NUM_THREADS=1 /usr/bin/python3 models/train/speed.py [--steps 6] [--threads 1]

For each configuration, precision (fp32, bf16 autocast) and training context, times full training steps
(forward, backward, AdamW) on random tokens after one warm-up step, and prints tokens/s (median step).
Pause the background trainer first (models/train/campaign.sh pause): two busy cores make timings meaningless.
"""
import argparse
import statistics
import sys
import time
import os

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch-tokens", type=int, default=4096)
    ap.add_argument("--configs", default="tiny,small,wide")
    ap.add_argument("--contexts", default="512,1024")
    ap.add_argument("--tokenizers", action="store_true",
                    help="instead: chars/token on the held-out eval files for the shipped tokenizer and BPE "
                    "vocabularies learned on every 10th file of corpus v2")
    a = ap.parse_args(argv)
    if a.tokenizers:
        return tokenizers()
    import torch
    from model import CONFIGS, Config, Model
    torch.set_num_threads(a.threads)
    extra = {"wide": Config(dim=384, n_layers=6, n_heads=6, n_kv_heads=6, ffn_dim=1024)}
    print("config\tparams\tctx\tprecision\tms/step\ttokens/s")
    for name in a.configs.split(","):
        for ctx in map(int, a.contexts.split(",")):
            base = CONFIGS.get(name) or extra[name]
            cfg = Config(**{**base.to_dict(), "seq_len": ctx, "ctx_export": ctx})
            torch.manual_seed(0)
            model = Model(cfg)
            opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
            bsz = max(1, a.batch_tokens // ctx)
            x = torch.randint(0, cfg.vocab_size, (bsz, ctx + 1))
            for prec in ("fp32", "bf16"):
                times = []
                for i in range(a.steps + 1):
                    t0 = time.perf_counter()
                    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=prec == "bf16"):
                        logits = model(x[:, :-1])
                        loss = torch.nn.functional.cross_entropy(logits.float().reshape(-1, cfg.vocab_size),
                                                                 x[:, 1:].reshape(-1))
                    opt.zero_grad(set_to_none=True)
                    loss.backward()
                    opt.step()
                    if i:
                        times.append(time.perf_counter() - t0)
                ms = statistics.median(times) * 1000
                print(f"{name}\t{model.n_params()/1e6:.2f}M\t{ctx}\t{prec}\t{ms:.0f}\t{bsz*ctx/(ms/1000):.0f}",
                      flush=True)


def tokenizers(sizes=(4096, 8192)):
    import collections
    import corpus
    import data
    import gguf
    from tokenizer import Tokenizer, pretokenize, train_bpe
    from tools import tokenizer_from_gguf
    here = os.path.dirname(os.path.abspath(__file__))
    shipped = os.path.join(here, "..", "codeassist-py-tiny.gguf")
    held = [data.read_text(p)[1] for p in data.eval_files(64)]
    held = [t for t in held if t]
    chars = sum(len(t) for t in held)
    files = [p for _pkg, p in corpus.ensure()][::10]
    counts = collections.Counter()
    for p in files:
        text = data.read_text(p)[1]
        if text:
            counts.update(pretokenize(text))
    print("tokenizer\tvocab\theld-out chars/token", flush=True)
    tok = tokenizer_from_gguf(gguf.read_gguf_header(shipped).metadata, shipped)
    print(f"shipped (stdlib)\t{tok.vocab_size}\t{chars / sum(len(tok.encode(t)) for t in held):.3f}", flush=True)
    for size in sizes:
        t0 = time.time()
        tokens, merges = train_bpe(counts, size, log=lambda *_: None)
        tok = Tokenizer(tokens, merges)
        print(f"corpus v2 (1/10 of the files)\t{tok.vocab_size}\t"
              f"{chars / sum(len(tok.encode(t)) for t in held):.3f}\t(learned in {time.time() - t0:.0f}s)", flush=True)


if __name__ == "__main__":
    main()
