"""Llama-style decoder (RMSNorm, RoPE, SwiGLU, no biases, tied embeddings).

RoPE uses llama.cpp's `llama` (LLAMA_ROPE_TYPE_NORM) convention: ADJACENT pairs
(x[2i], x[2i+1]) are rotated by theta_i = base^(-2i/head_dim). Because we train with
that convention, Q/K weights are exported to GGUF as-is (no permutation).
"""
import math
from dataclasses import dataclass, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class Config:
    vocab_size: int = 4096
    dim: int = 192
    n_layers: int = 6
    n_heads: int = 3
    n_kv_heads: int = 3
    ffn_dim: int = 512
    seq_len: int = 512          # training context
    ctx_export: int = 512       # llama.context_length written to the GGUF (honest: what we trained with)
    rope_base: float = 10000.0
    norm_eps: float = 1e-5

    @property
    def head_dim(self):
        return self.dim // self.n_heads

    def to_dict(self):
        return asdict(self)


CONFIGS = {
    # ~3.0M params; sized for ~140 min on one CPU thread (see models/README.md)
    "tiny": Config(dim=192, n_layers=5, n_heads=3, n_kv_heads=3, ffn_dim=512),
    # ~9.6M params (3.2x tiny): tiny's width, four times its depth, so it can be grown from the shipped
    # tiny model (export.grow_from_gguf) and start where tiny ended instead of from scratch
    "small": Config(dim=192, n_layers=20, n_heads=3, n_kv_heads=3, ffn_dim=512),
    # only for --smoke
    "smoke": Config(dim=64, n_layers=2, n_heads=2, n_kv_heads=2, ffn_dim=160, seq_len=128, ctx_export=128),
}


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(seq_len, head_dim, base):
    inv = base ** (-torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim)
    ang = torch.arange(seq_len, dtype=torch.float64)[:, None] * inv[None, :]
    return torch.cos(ang).float(), torch.sin(ang).float()


def apply_rope(x, cos, sin):
    # x: (B, H, T, hd); rotate adjacent pairs (2i, 2i+1)
    B, H, T, D = x.shape
    xp = x.reshape(B, H, T, D // 2, 2)
    x0, x1 = xp[..., 0], xp[..., 1]
    c, s = cos[:T], sin[:T]
    o0 = x0 * c - x1 * s
    o1 = x0 * s + x1 * c
    return torch.stack((o0, o1), dim=-1).reshape(B, H, T, D)


# Slices of queries the training attention is computed in (models/README.md, run 11: 2 measured fastest of 1, 2, 4).
ATTN_CHUNKS = 2


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        hd = cfg.head_dim
        self.attn_norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.wq = nn.Linear(cfg.dim, cfg.n_heads * hd, bias=False)
        self.wk = nn.Linear(cfg.dim, cfg.n_kv_heads * hd, bias=False)
        self.wv = nn.Linear(cfg.dim, cfg.n_kv_heads * hd, bias=False)
        self.wo = nn.Linear(cfg.n_heads * hd, cfg.dim, bias=False)
        self.ffn_norm = RMSNorm(cfg.dim, cfg.norm_eps)
        self.w_gate = nn.Linear(cfg.dim, cfg.ffn_dim, bias=False)
        self.w_up = nn.Linear(cfg.dim, cfg.ffn_dim, bias=False)
        self.w_down = nn.Linear(cfg.ffn_dim, cfg.dim, bias=False)

    def forward(self, x, cos, sin, mask):
        # The same function as three q/k/v products, two gate/up products and (q k^T)·scale + mask, written with fewer,
        # wider operations: one product against the concatenated q/k/v weights and one against gate/up (192-wide
        # matrices underuse the BLAS), the scale and mask fused into the attention product (baddbmm), and the
        # attention in slices of queries that skip most of the masked triangle. The
        # parameters stay separate (checkpoints and the GGUF export are unchanged). Measured in models/README.md.
        cfg = self.cfg
        B, T, C = x.shape
        hd = cfg.head_dim
        nq, nkv = cfg.n_heads * hd, cfg.n_kv_heads * hd
        h = self.attn_norm(x)
        qkv = F.linear(h, torch.cat((self.wq.weight, self.wk.weight, self.wv.weight)))
        q, k, v = qkv.split((nq, nkv, nkv), dim=-1)
        q = apply_rope(q.view(B, T, cfg.n_heads, hd).transpose(1, 2), cos, sin)
        k = apply_rope(k.view(B, T, cfg.n_kv_heads, hd).transpose(1, 2), cos, sin)
        v = v.view(B, T, cfg.n_kv_heads, hd).transpose(1, 2)
        if cfg.n_kv_heads != cfg.n_heads:
            rep = cfg.n_heads // cfg.n_kv_heads
            k = k.repeat_interleave(rep, dim=1)
            v = v.repeat_interleave(rep, dim=1)
        H = cfg.n_heads
        q, kt, v = q.reshape(B * H, T, hd), k.reshape(B * H, T, hd).transpose(1, 2), v.reshape(B * H, T, hd)
        # Causal attention in ATTN_CHUNKS slices of queries, each against the keys up to its end only: the masked
        # upper triangle is mostly not computed (a quarter less with two slices).
        step = -(-T // ATTN_CHUNKS)
        ys = []
        for s in range(0, T, step):
            e = min(T, s + step)
            att = torch.baddbmm(mask[s:e, :e].to(q.dtype), q[:, s:e], kt[:, :, :e], alpha=1.0 / math.sqrt(hd))
            att = torch.softmax(att, dim=-1)
            ys.append(torch.bmm(att.to(v.dtype), v[:, :e]))
        y = torch.cat(ys, dim=1).view(B, H, T, hd).transpose(1, 2).reshape(B, T, nq)
        x = x + self.wo(y)
        h = self.ffn_norm(x)
        gate, up = F.linear(h, torch.cat((self.w_gate.weight, self.w_up.weight))).chunk(2, dim=-1)
        x = x + self.w_down(F.silu(gate) * up)
        return x


class Model(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.tok_emb = nn.Embedding(cfg.vocab_size, cfg.dim)
        self.blocks = nn.ModuleList([Block(cfg) for _ in range(cfg.n_layers)])
        self.norm = RMSNorm(cfg.dim, cfg.norm_eps)
        n = max(cfg.seq_len, cfg.ctx_export)
        cos, sin = rope_tables(n, cfg.head_dim, cfg.rope_base)
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)
        mask = torch.full((n, n), float("-inf")).triu(1)
        self.register_buffer("mask", mask, persistent=False)
        self.apply(self._init)
        for b in self.blocks:  # scaled init of residual projections
            nn.init.normal_(b.wo.weight, std=0.02 / math.sqrt(2 * cfg.n_layers))
            nn.init.normal_(b.w_down.weight, std=0.02 / math.sqrt(2 * cfg.n_layers))

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, std=0.02)

    def n_params(self):
        return sum(p.numel() for p in self.parameters())

    def forward(self, idx):
        x = self.tok_emb(idx)
        for b in self.blocks:
            x = b(x, self.cos, self.sin, self.mask)
        x = self.norm(x)
        return x @ self.tok_emb.weight.t()  # tied output head
