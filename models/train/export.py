"""PyTorch model <-> GGUF (llama architecture) conversion."""
import numpy as np
import torch

import gguf
from tokenizer import LLAMA_CPP_PRE, SPECIALS


def _names(cfg):
    m = [("token_embd.weight", "tok_emb.weight"), ("output_norm.weight", "norm.weight")]
    for i in range(cfg.n_layers):
        p = f"blocks.{i}."
        b = f"blk.{i}."
        m += [(b + "attn_norm.weight", p + "attn_norm.weight"),
              (b + "attn_q.weight", p + "wq.weight"),
              (b + "attn_k.weight", p + "wk.weight"),
              (b + "attn_v.weight", p + "wv.weight"),
              (b + "attn_output.weight", p + "wo.weight"),
              (b + "ffn_norm.weight", p + "ffn_norm.weight"),
              (b + "ffn_gate.weight", p + "w_gate.weight"),
              (b + "ffn_up.weight", p + "w_up.weight"),
              (b + "ffn_down.weight", p + "w_down.weight")]
    return m


def export_gguf(model, tok, path, name, dtype="f16"):
    cfg = model.cfg
    gtype = gguf.TYPE_NAMES[dtype]
    control = set(SPECIALS)
    ids = tok.id_of
    meta = [
        ("general.architecture", "llama"),
        ("general.name", name),
        ("general.file_type", {"f32": 0, "f16": 1, "q8_0": 7}[dtype]),
        ("llama.context_length", cfg.ctx_export),
        ("llama.embedding_length", cfg.dim),
        ("llama.block_count", cfg.n_layers),
        ("llama.feed_forward_length", cfg.ffn_dim),
        ("llama.attention.head_count", cfg.n_heads),
        ("llama.attention.head_count_kv", cfg.n_kv_heads),
        ("llama.rope.dimension_count", cfg.head_dim),
        ("llama.rope.freq_base", float(cfg.rope_base)),
        ("llama.attention.layer_norm_rms_epsilon", float(cfg.norm_eps)),
        ("llama.vocab_size", tok.vocab_size),
        ("tokenizer.ggml.model", "gpt2"),
        ("tokenizer.ggml.pre", LLAMA_CPP_PRE),
        ("tokenizer.ggml.tokens", list(tok.tokens)),
        ("tokenizer.ggml.token_type", [gguf.I32(3 if t in control else 1) for t in tok.tokens]),
        ("tokenizer.ggml.merges", [" ".join(m) for m in tok.merges]),
        ("tokenizer.ggml.bos_token_id", ids["<|endoftext|>"]),
        ("tokenizer.ggml.eos_token_id", ids["<|endoftext|>"]),
        ("tokenizer.ggml.eot_token_id", ids["<|endoftext|>"]),
        ("tokenizer.ggml.padding_token_id", ids["<fim_pad>"]),
        ("tokenizer.ggml.fim_pre_token_id", ids["<fim_prefix>"]),
        ("tokenizer.ggml.fim_suf_token_id", ids["<fim_suffix>"]),
        ("tokenizer.ggml.fim_mid_token_id", ids["<fim_middle>"]),
        ("tokenizer.ggml.fim_pad_token_id", ids["<fim_pad>"]),
        ("tokenizer.ggml.add_bos_token", False),
        ("tokenizer.ggml.add_eos_token", False),
        # The server reads this to pick the suffix-first prompt order the model trained with.
        ("codeassist.fim_order", "spm"),
    ]
    sd = {k: v.detach().float().cpu().numpy() for k, v in model.state_dict().items()}
    tensors = [(g, sd[p], gtype) for g, p in _names(cfg)]
    gguf.write_gguf(path, meta, tensors)


def load_gguf_weights(model, tok, path):
    """Load weights from one of our GGUF exports into `model` (same config + tokenizer required)."""
    meta, tensors = gguf.read_gguf(path)
    if meta.get("tokenizer.ggml.tokens") != tok.tokens:
        raise ValueError(f"{path}: tokenizer differs from the current one")
    sd = model.state_dict()
    for g, p in _names(model.cfg):
        a = tensors[g]
        if tuple(a.shape) != tuple(sd[p].shape):
            raise ValueError(f"{path}: {g} has shape {a.shape}, expected {tuple(sd[p].shape)}")
        sd[p] = torch.from_numpy(np.ascontiguousarray(a))
    model.load_state_dict(sd)
    return meta


def grow_from_gguf(model, tok, path):
    """Initialise a deeper model from a shallower export so that it computes the same function.

    The source must have the same width (embedding, heads, ffn) and a layer count that divides the
    target's. Source layer j becomes target layer j*k (k = target/source layers); each of the k-1 layers
    after it starts as a copy of it with its two residual output projections (attn_output, ffn_down)
    zeroed, so the new layers add nothing until training moves those projections off zero. At step 0
    the grown model's logits equal the source's; training then only has to improve on it.
    """
    meta, tensors = gguf.read_gguf(path)
    if meta.get("tokenizer.ggml.tokens") != tok.tokens:
        raise ValueError(f"{path}: tokenizer differs from the current one")
    cfg = model.cfg
    src_layers = int(meta["llama.block_count"])
    for key, want in (("llama.embedding_length", cfg.dim), ("llama.feed_forward_length", cfg.ffn_dim),
                      ("llama.attention.head_count", cfg.n_heads),
                      ("llama.attention.head_count_kv", cfg.n_kv_heads)):
        if int(meta[key]) != want:
            raise ValueError(f"{path}: {key} is {meta[key]}, the grown model needs {want}")
    if src_layers <= 0 or cfg.n_layers % src_layers != 0:
        raise ValueError(f"{path}: {src_layers} layers do not divide {cfg.n_layers}")
    k = cfg.n_layers // src_layers
    sd = model.state_dict()

    def put(name, array):
        if tuple(array.shape) != tuple(sd[name].shape):
            raise ValueError(f"{path}: {name} has shape {array.shape}, expected {tuple(sd[name].shape)}")
        sd[name] = torch.from_numpy(np.ascontiguousarray(array)).clone()

    put("tok_emb.weight", tensors["token_embd.weight"])
    put("norm.weight", tensors["output_norm.weight"])
    parts = [("attn_norm", "attn_norm"), ("attn_q", "wq"), ("attn_k", "wk"), ("attn_v", "wv"),
             ("attn_output", "wo"), ("ffn_norm", "ffn_norm"), ("ffn_gate", "w_gate"), ("ffn_up", "w_up"),
             ("ffn_down", "w_down")]
    for i in range(cfg.n_layers):
        j, copy = divmod(i, k)
        for g, p in parts:
            a = tensors[f"blk.{j}.{g}.weight"]
            if copy and g in ("attn_output", "ffn_down"):
                a = np.zeros_like(a)
            put(f"blocks.{i}.{p}.weight", a)
    model.load_state_dict(sd)
    return meta
