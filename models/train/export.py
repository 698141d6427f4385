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
