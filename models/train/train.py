#!/usr/bin/python3
"""CodeAssist model training: one command prepares corpus + tokenizer and trains.

    OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 models/train/train.py --config tiny --threads 1 --minutes 140

Re-running the same command resumes from models/train/.work/<config>/ckpt.pt. Without a
checkpoint, weights are taken from models/codeassist-py-<config>.gguf if it exists
(optimizer state and LR schedule restart). See models/README.md.
"""
import argparse
import math
import os
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
REPO = os.path.dirname(os.path.dirname(HERE))


def held_out_loss(model, windows, device):
    """Mean loss per token (nats) of model on held-out windows (rows of seq_len + 1 token ids)."""
    import torch
    was_training = model.training
    model.eval()
    with torch.no_grad():
        x = torch.from_numpy(windows.astype("int64")).to(device)
        logits = model(x[:, :-1])
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)), x[:, 1:].reshape(-1)).item()
    model.train(was_training)
    return loss


def choose_start(model, tok, init, grow, windows, device):
    """Of two starting points for a run without a checkpoint, the export `init` (the config's own weights) and the
    shallower export `grow` grown to the model's depth, the one with the lower held-out loss on windows: ("init" or
    "grow", {start: loss}). Leaves model holding the last one tried."""
    from export import grow_from_gguf, load_gguf_weights
    losses = {}
    load_gguf_weights(model, tok, init)
    losses["init"] = held_out_loss(model, windows, device)
    grow_from_gguf(model, tok, grow)
    losses["grow"] = held_out_loss(model, windows, device)
    return ("init" if losses["init"] <= losses["grow"] else "grow"), losses


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default="tiny", help="tiny | small")
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    ap.add_argument("--device", default="auto", help="auto | cpu | cuda (auto: cuda when a GPU is visible, else cpu)")
    ap.add_argument("--minutes", type=float, default=None, help="training-time budget (cumulative over resumes)")
    ap.add_argument("--max-tokens", type=float, default=None, help="token budget (cumulative over resumes)")
    ap.add_argument("--batch", type=int, default=8, help="sequences per step")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--init-lr-scale", type=float, default=0.3,
                    help="when a run starts from trained weights (an export: --init-gguf or the shipped model) rather "
                    "than a checkpoint, its peak learning rate is --lr times this: fresh AdamW state at the full peak "
                    "undoes hours of training first (run 8 climbed 0.4 nats above the shipped models' held-out loss)")
    ap.add_argument("--min-lr-frac", type=float, default=0.1)
    ap.add_argument("--warmup", type=int, default=100, help="warmup steps")
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--fim-rate", type=float, default=0.5, help="fraction of rows made of FIM samples")
    ap.add_argument("--spm-rate", type=float, default=0.5, help="fraction of FIM samples in SPM order")
    ap.add_argument("--body-rate", type=float, default=0.25,
                    help="fraction of FIM samples whose middle is the body of a documented function (1-10 lines) when "
                    "the sample's text has one: what 'Implement function' and block completions ask for")
    ap.add_argument("--vocab", type=int, default=4096)
    ap.add_argument("--corpus", default="v2", choices=["v1", "v2"],
                    help="v1: the standard library; v2: plus the Debian packages of corpus-v2-manifest.tsv "
                    "(tokenized with the shipped models' tokenizer)")
    ap.add_argument("--precision", default="auto", choices=["auto", "fp32", "bf16"],
                    help="bf16: torch.autocast to bfloat16 for the matrix products (weights, optimizer and loss "
                    "stay fp32): 2.8x faster for tiny on a CPU with AVX512-BF16 or AMX, 13x SLOWER on one without "
                    "(emulated; models/README.md). auto: bf16 on CUDA or such a CPU, else fp32")
    ap.add_argument("--prep-processes", type=int, default=2, help="processes that tokenize corpus v2 once")
    ap.add_argument("--seed", type=int, default=1337)
    ap.add_argument("--ckpt-minutes", type=float, default=5.0, help="minutes of wall time between checkpoints")
    ap.add_argument("--eval-minutes", type=float, default=15.0,
                    help="minutes between held-out evaluations and exports, at a checkpoint (and always at the end): "
                    "evaluating the weights and their average and exporting both took small ~30 s, a tenth of a "
                    "5-minute interval")
    ap.add_argument("--export-dtype", default="f16", choices=["f32", "f16", "q8_0"])
    ap.add_argument("--workdir", default=os.path.join(HERE, ".work"))
    ap.add_argument("--init-gguf", default=None, help="weights to start from when no checkpoint exists "
                    "(default: models/codeassist-py-<config>.gguf if present; `none`: grow from --grow-from instead)")
    ap.add_argument("--grow-from", default=None, help="when no checkpoint and no --init-gguf file exists: grow "
                    "this shallower export (same width) to the config's depth, function-preserving "
                    "(default for small: models/codeassist-py-tiny.gguf)")
    ap.add_argument("--smoke", action="store_true", help="few files, tiny model, few steps, export (<1 min)")
    ap.add_argument("--average-minutes", type=float, default=20.0,
                    help="half-life, in minutes of training, of an exponential moving average of the weights kept next "
                    "to them; every checkpoint evaluates both and exports the average too (average.gguf); the better "
                    "one can become export.gguf. 0 turns it off")
    ap.add_argument("--workers", type=int, default=1,
                    help="data-parallel processes (one --threads each): every step each computes the gradient of its "
                         "own --batch sequences and the gradients are averaged (torch.distributed, gloo on 127.0.0.1); "
                         "the first process logs, evaluates, checkpoints and exports")
    ap.add_argument("--steps", type=int, default=None, help="stop after this many steps (total)")
    ap.add_argument("--log-every", type=int, default=10)
    a = ap.parse_args(argv)
    if a.smoke:
        a.config, a.vocab, a.batch, a.warmup = "smoke", 512, 4, 5
        a.steps = a.steps or 30
        a.log_every = 5
    if a.minutes is None and a.max_tokens is None and a.steps is None:
        a.minutes = 140.0
    return a


def learning_rate(args, state, progress):
    """Linear warm-up to the peak (--lr, times the run's lr_scale: --init-lr-scale for runs that started from trained
    weights), then cosine decay to --min-lr-frac of it over the budget's progress (0..1)."""
    peak = args.lr * state.get("lr_scale", 1.0)
    if state["step"] < args.warmup:
        return peak * (state["step"] + 1) / args.warmup
    p = min(1.0, progress)
    return peak * (args.min_lr_frac + (1 - args.min_lr_frac) * 0.5 * (1 + math.cos(math.pi * p)))


def average_decay(step_seconds, half_life_minutes):
    """The weight average's decay for one step that took step_seconds: after half_life_minutes of steps the weights of
    the first step weigh half. Measured in training time, so a slow model (small) averages over as many minutes as a
    fast one. 0 (no averaging) for a half-life of 0."""
    if half_life_minutes <= 0:
        return 0.0
    return 0.5 ** (max(step_seconds, 0.0) / (half_life_minutes * 60.0))


class WeightAverage:
    """An exponential moving average of a model's parameters (float32 copies): at a high learning rate the weights
    wander around a minimum, and their average lies nearer to it than any one step."""

    def __init__(self, model, state=None):
        self.params = [p.detach().clone().float() for p in model.parameters()]
        if state is not None:
            for mine, saved in zip(self.params, state):
                mine.copy_(saved)

    def update(self, model, decay):
        import torch
        with torch.no_grad():
            for mine, p in zip(self.params, model.parameters()):
                mine.lerp_(p.detach().float(), 1.0 - decay)

    def swap(self, model):
        """Exchanges the model's parameters with the average (call again to swap back)."""
        import torch
        with torch.no_grad():
            for mine, p in zip(self.params, model.parameters()):
                held = p.detach().clone()
                p.copy_(mine)
                mine.copy_(held)

    def state(self):
        return [p.clone() for p in self.params]


RANK_ENV = "CODEASSIST_TRAIN_RANK"
PORT_ENV = "CODEASSIST_TRAIN_PORT"


def average_gradients(model, workers):
    """Replaces every parameter's gradient by its mean over the workers (one all-reduce of one flat buffer): with the
    same --batch on each, the gradient of the union of their batches, so each step sees workers x --batch sequences."""
    import torch
    import torch.distributed as dist
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    flat = torch.cat([g.reshape(-1) for g in grads])
    dist.all_reduce(flat)
    flat /= workers
    offset = 0
    for g in grads:
        g.copy_(flat[offset:offset + g.numel()].view_as(g))
        offset += g.numel()


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_workers(args, argv, pid_dir):
    """The first process starts the others: the same command with a rank in the environment. Each writes a pid file
    beside the campaign's (<config>-w<rank>.pid), so that pausing the campaign pauses every worker."""
    import subprocess
    port = free_port()
    children = []
    for rank in range(1, args.workers):
        env = dict(os.environ, **{RANK_ENV: str(rank), PORT_ENV: str(port)})
        children.append(subprocess.Popen([sys.executable, os.path.abspath(__file__)] + list(argv), env=env))
        if pid_dir and os.path.isdir(pid_dir):
            with open(os.path.join(pid_dir, f"{args.config}-w{rank}.pid"), "w") as f:
                f.write(f"{children[-1].pid}\n")
    return port, children


def die_with_parent():
    """A worker ends when the first process does (it holds nothing to save): Linux's parent-death signal."""
    try:
        import ctypes
        import signal
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def cpu_has_native_bf16(cpuinfo="/proc/cpuinfo"):
    """True when the CPU multiplies bfloat16 in hardware (AVX512-BF16 or AMX-BF16). Elsewhere PyTorch emulates
    bf16 matrix products and autocast makes training an order of magnitude slower, not faster."""
    try:
        with open(cpuinfo, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return bool(flags & {"avx512_bf16", "amx_bf16"})
    except OSError:
        pass
    return False


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    rank = int(os.environ.get(RANK_ENV, "0"))
    if rank > 0:
        die_with_parent()
    os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    import numpy as np
    import torch
    torch.set_num_threads(args.threads)
    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available() else
                          ("cpu" if args.device == "auto" else args.device))
    if args.precision == "auto":
        args.precision = "bf16" if device.type == "cuda" or cpu_has_native_bf16() else "fp32"

    import data
    from export import export_gguf, grow_from_gguf, load_gguf_weights
    from model import CONFIGS, Model

    def log(*a):
        if rank == 0:
            print(*a, flush=True)

    t_start = time.time()
    prep_dir = os.path.join(args.workdir, "smoke-data" if args.smoke else
                            (f"data-v{args.vocab}" if args.corpus == "v1" else f"data-corpus2-v{args.vocab}"))
    out_dir = os.path.join(args.workdir, args.config)
    if args.smoke and rank == 0:  # always from scratch
        shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(out_dir, exist_ok=True)
    manifest = None if args.smoke else os.path.join(HERE, "corpus-manifest.txt")
    if args.corpus == "v2" and not args.smoke:
        # the shipped models' tokenizer, so that training continues from their weights
        import gguf
        from tools import tokenizer_from_gguf
        shipped = os.path.join(REPO, "models", "codeassist-py-tiny.gguf")
        meta = gguf.read_gguf_header(shipped).metadata
        tok = data.prepare_v2(prep_dir, tokenizer_from_gguf(meta, shipped), processes=args.prep_processes, log=log)
    else:
        tok = data.prepare(prep_dir, args.vocab, smoke=args.smoke, manifest_path=manifest, log=log)
    stream, docs, ev = data.load_prepared(prep_dir)
    log(f"data ready in {time.time()-t_start:.0f}s: {len(stream)/1e6:.2f}M tokens, vocab {tok.vocab_size}, "
        f"eval {ev.shape}")

    cfg = CONFIGS[args.config]
    cfg.vocab_size = tok.vocab_size
    torch.manual_seed(args.seed)
    model = Model(cfg)
    n_params = model.n_params()
    log(f"model {args.config}: {n_params/1e6:.2f}M params, dim {cfg.dim}, layers {cfg.n_layers}, heads "
        f"{cfg.n_heads}x{cfg.head_dim}, ffn {cfg.ffn_dim}, seq {cfg.seq_len}, threads {torch.get_num_threads()}, device {device}, "
        f"precision {args.precision}")

    model.to(device)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.95), eps=1e-8)

    ckpt_path = os.path.join(out_dir, "ckpt.pt")
    state = {"step": 0, "tokens": 0, "elapsed": 0.0, "best_eval": float("inf")}
    saved_average = None
    if os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path, map_location=device)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        torch.set_rng_state(ck["torch_rng"].cpu())
        state = ck["state"]
        saved_average = ck.get("average")
        log(f"resumed {ckpt_path}: step {state['step']}, {state['tokens']/1e6:.2f}M tokens, "
            f"{state['elapsed']/60:.1f} min trained, best eval {state['best_eval']:.4f}")
    else:
        init = args.init_gguf or os.path.join(REPO, "models", f"codeassist-py-{args.config}.gguf")
        grow = args.grow_from or (os.path.join(REPO, "models", "codeassist-py-tiny.gguf")
                                  if args.config == "small" else None)
        can_init = not args.smoke and args.init_gguf != "none" and os.path.exists(init)
        can_grow = bool(grow) and os.path.exists(grow)
        if can_init and can_grow and args.init_gguf is None:
            # A fresh machine: of the config's own shipped weights and the shallower model grown to its depth, start
            # from the one with the lower held-out loss (a shipped tiny that trained on may have passed an older small).
            choice, losses = choose_start(model, tok, init, grow, ev[:16, :cfg.seq_len + 1], device)
            log(f"no checkpoint: held-out loss (16 windows) of {init}: {losses['init']:.4f}, of {grow} grown: "
                f"{losses['grow']:.4f}")
            can_init = choice == "init"
        if can_init:
            load_gguf_weights(model, tok, init)
            state["lr_scale"] = args.init_lr_scale
            log(f"no checkpoint: initialised weights from {init} (optimizer state and schedule restart; peak learning "
                f"rate x{args.init_lr_scale})")
        elif can_grow:
            src = grow_from_gguf(model, tok, grow)
            state["lr_scale"] = args.init_lr_scale
            log(f"no checkpoint: grown from {grow} ({src['llama.block_count']} -> {cfg.n_layers} layers; "
                f"new layers start as copies with zeroed output projections, so step 0 equals the source; peak "
                f"learning rate x{args.init_lr_scale})")

    # A checkpoint written before the average existed starts it from the weights it holds.
    average = WeightAverage(model, saved_average) if args.average_minutes > 0 else None
    sampler = data.Sampler(tok, stream, docs, cfg.seq_len, args.fim_rate, args.spm_rate, args.seed, args.body_rate)
    ev_t = torch.from_numpy(ev[:, :cfg.seq_len + 1].copy())

    def progress():
        p = 0.0
        if args.minutes:
            p = max(p, state["elapsed"] / (args.minutes * 60))
        if args.max_tokens:
            p = max(p, state["tokens"] / args.max_tokens)
        if args.steps:
            p = max(p, state["step"] / args.steps)
        return p

    def lr_at():
        return learning_rate(args, state, progress())

    @torch.no_grad()
    def evaluate():
        model.eval()
        tot, acc, n = 0.0, 0.0, 0
        for i in range(0, len(ev_t), 8):
            x = ev_t[i:i + 8].to(device)
            logits = model(x[:, :-1])
            y = x[:, 1:]
            tot += torch.nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1),
                                                     reduction="sum").item()
            acc += (logits.argmax(-1) == y).sum().item()
            n += y.numel()
        model.train()
        return tot / max(n, 1), acc / max(n, 1)

    def save_checkpoint():
        tmp = ckpt_path + ".tmp"
        torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "torch_rng": torch.get_rng_state(),
                    "np_rng_note": "data RNG is derived from (seed, step)", "state": state,
                    "average": None if average is None else average.state(),
                    "config": cfg.to_dict(), "args": vars(args)}, tmp)
        os.replace(tmp, ckpt_path)

    def save_all(final=False):
        t0 = time.time()
        ev_loss, ev_acc = evaluate()
        name = f"codeassist-py-{args.config}"
        latest = os.path.join(out_dir, "latest.gguf")
        export_gguf(model, tok, latest, name, args.export_dtype)
        candidates = [(ev_loss, latest)]
        avg_note = ""
        if average is not None:
            average.swap(model)
            try:
                avg_loss, avg_acc = evaluate()
                averaged = os.path.join(out_dir, "average.gguf")
                export_gguf(model, tok, averaged, name, args.export_dtype)
            finally:
                average.swap(model)
            candidates.append((avg_loss, averaged))
            avg_note = f" average {avg_loss:.4f} top1 {avg_acc:.3f}"
        best_loss, best_file = min(candidates)
        is_best = best_loss < state["best_eval"]
        if is_best:
            state["best_eval"] = best_loss
        save_checkpoint()
        best = ""
        if is_best:
            tmpb = os.path.join(out_dir, "export.gguf.tmp")
            shutil.copyfile(best_file, tmpb)
            os.replace(tmpb, os.path.join(out_dir, "export.gguf"))
            best = f" (best -> export.gguf{', the average' if best_file != latest else ''})"
        with open(os.path.join(out_dir, "evals.tsv"), "a") as f:
            extra = "" if average is None else "\t%.4f" % avg_loss
            f.write(f"{state['step']}\t{state['tokens']}\t{state['elapsed']:.0f}\t{ev_loss:.4f}\t{ev_acc:.4f}{extra}\n")
        log(f"[ckpt] step {state['step']} tokens {state['tokens']/1e6:.2f}M held-out loss {ev_loss:.4f} "
            f"top1 {ev_acc:.3f}{avg_note}{best} ({time.time()-t0:.1f}s){' FINAL' if final else ''}")

    def done():
        return progress() >= 1.0

    if done():
        log("budget already reached; nothing to train (raise --minutes/--max-tokens to continue)")
        if not os.path.exists(os.path.join(out_dir, "latest.gguf")):
            save_all(final=True)
        return 0

    # Data-parallel workers: the first process starts the others once the data is prepared and the checkpoint read
    # (they read the same one); the weights are then broadcast from it, so every worker starts from the same step.
    workers = max(1, args.workers)
    children = []
    pid_dir = os.path.join(args.workdir, "campaign")
    if workers > 1:
        import datetime
        import torch.distributed as dist
        if rank == 0:
            port, children = start_workers(args, argv, pid_dir)
        else:
            port = int(os.environ[PORT_ENV])
        # a pause (SIGSTOP while an eval or bench measures) may last long: the others wait at the next all-reduce
        dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=workers,
                                timeout=datetime.timedelta(days=7))
        with torch.no_grad():
            for p in model.parameters():
                dist.broadcast(p.data, 0)
        log(f"{workers} workers (data-parallel, gloo): {workers} x {args.batch} sequences per step")

    # campaign.sh stop sends SIGTERM: finish the step, checkpoint, exit (a kill -9 loses at most --ckpt-minutes).
    # With workers, the first process decides and tells the others after each step.
    import signal
    stop_requested = []
    signal.signal(signal.SIGTERM, lambda *_: stop_requested.append(True))
    if rank > 0:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        average = None

    model.train()
    tokens_per_step = workers * args.batch * cfg.seq_len
    step_time = None  # EMA of a step's seconds: a step that spans a pause (SIGSTOP) counts as a normal one
    last_ckpt = last_eval = time.time()
    t_log, tok_log = time.time(), 0
    ema = None
    while not done():
        t0 = time.time()
        lr = lr_at()
        for g in opt.param_groups:
            g["lr"] = lr
        xb = torch.from_numpy(sampler.batch(state["step"] * workers + rank, args.batch)).to(device)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=args.precision == "bf16"):
            logits = model(xb[:, :-1])
        loss = torch.nn.functional.cross_entropy(logits.float().reshape(-1, logits.size(-1)), xb[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if workers > 1:
            average_gradients(model, workers)
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        state["step"] += 1
        state["tokens"] += tokens_per_step
        dt_step = time.time() - t0
        if step_time is not None and dt_step > 5 * step_time:
            dt_step = step_time
        step_time = dt_step if step_time is None else 0.9 * step_time + 0.1 * dt_step
        action = 0  # 1: checkpoint, 2: checkpoint + evaluation and exports, 3: stop
        if rank == 0:
            if stop_requested:
                action = 3
            elif time.time() - last_ckpt >= args.ckpt_minutes * 60:
                action = 2 if time.time() - last_eval >= args.eval_minutes * 60 else 1
        if workers > 1:
            # every worker counts the first one's step time and follows its decision, so all stop at the same step
            shared = torch.tensor([dt_step, float(action)], dtype=torch.float64)
            dist.broadcast(shared, 0)
            dt_step, action = float(shared[0]), int(shared[1])
        state["elapsed"] += dt_step
        if average is not None:
            average.update(model, average_decay(dt_step, args.average_minutes))
        tok_log += tokens_per_step
        lv = loss.item()
        ema = lv if ema is None else 0.95 * ema + 0.05 * lv
        if state["step"] % args.log_every == 0:
            dt = time.time() - t_log
            tps = tok_log / dt
            p = progress()
            eta = (state["elapsed"] / p - state["elapsed"]) if p > 0 else 0
            log(f"step {state['step']:6d} loss {lv:.4f} (ema {ema:.4f}) lr {lr:.2e} {tps:7.0f} tok/s "
                f"tokens {state['tokens']/1e6:.2f}M elapsed {state['elapsed']/60:.1f}m "
                f"progress {100*p:5.1f}% ETA {eta/60:.1f}m")
            t_log, tok_log = time.time(), 0
        if action == 3:
            if rank == 0:
                save_all()
                log(f"stopped on request at step {state['step']} (resume with the same command)")
            return finish(children, pid_dir, args)
        if action and rank == 0:
            if action == 2:
                save_all()
                last_eval = time.time()
            else:
                save_checkpoint()
            last_ckpt = time.time()
            t_log, tok_log = time.time(), 0
    if rank > 0:
        return 0
    save_all(final=True)
    finish(children, pid_dir, args)
    log(f"done: {state['step']} steps, {state['tokens']/1e6:.2f}M tokens in {state['elapsed']/60:.1f} min; "
        f"best export {os.path.join(out_dir, 'export.gguf')}")
    return 0


def finish(children, pid_dir, args):
    """The first process waits for its workers (they leave after the same step) and removes their pid files."""
    for rank, child in enumerate(children, start=1):
        try:
            child.wait(timeout=60)
        except Exception:  # noqa: BLE001 - a worker that does not leave is ended
            child.kill()
        path = os.path.join(pid_dir, f"{args.config}-w{rank}.pid")
        if os.path.exists(path):
            os.remove(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
