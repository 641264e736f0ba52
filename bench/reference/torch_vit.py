"""vit_tiny of poda's zoo (framework/nn/zoo/vit_tiny.cpp) as a plain PyTorch 1.13 nn.Module.

Reference only (poda never depends on PyTorch). Debian: apt-get install python3-torch.
Patch 7 conv (16 tokens of width 64), a class token, learned positions, 4 pre-norm blocks
(LayerNorm, 4-head self-attention, LayerNorm, MLP 64-128-64 with erf GELU), a final LayerNorm
and a Dense head on the class token.

Attention is written by hand (separate q, k, v, out Linear layers) rather than with
nn.MultiheadAttention: its torch.onnx.export graph is one MatMul + Add per projection and the
plain Reshape/Transpose/MatMul/Softmax of the heads, which maps one to one onto poda's
attention layer (q, k, v, out Dense). nn.MultiheadAttention exports its packed in_proj as one
(3D, D) MatMul followed by Slice/Split of the result and batch-first transposes, i.e. a graph
to unpack before it means the same layers.
"""
import math

import torch
from torch import nn


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads, self.width = heads, dim // heads
        self.q, self.k, self.v = nn.Linear(dim, dim), nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.out = nn.Linear(dim, dim)

    def split(self, x):  # (N, T, D) -> (N, H, T, width)
        return x.reshape(x.shape[0], x.shape[1], self.heads, self.width).transpose(1, 2)

    def forward(self, x):
        q, k, v = self.split(self.q(x)), self.split(self.k(x)), self.split(self.v(x))
        p = torch.softmax(q @ k.transpose(-2, -1) * (1.0 / math.sqrt(self.width)), dim=-1)
        mixed = (p @ v).transpose(1, 2)
        return self.out(mixed.reshape(x.shape[0], x.shape[1], self.heads * self.width))


class Block(nn.Module):
    def __init__(self, dim, heads, hidden):
        super().__init__()
        self.norm1, self.attn = nn.LayerNorm(dim), Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim))

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class VitTiny(nn.Module):
    def __init__(self, patch=7, dim=64, depth=4, heads=4, hidden=128, classes=10, side=28):
        super().__init__()
        tokens = (side // patch) ** 2
        self.patch = nn.Conv2d(1, dim, patch, stride=patch)
        self.cls = nn.Parameter(torch.randn(1, 1, dim) * 0.02)
        self.pos = nn.Parameter(torch.randn(1, tokens + 1, dim) * 0.02)
        self.blocks = nn.Sequential(*[Block(dim, heads, hidden) for _ in range(depth)])
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, classes)

    def forward(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2)  # (N, 16, 64)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], dim=1) + self.pos
        x = self.norm(self.blocks(x))
        return self.head(x[:, 0])


def export(model, path, batch=2):
    """torch.onnx.export at opset 13 with a dynamic batch axis."""
    model.eval()
    torch.onnx.export(model, torch.zeros(batch, 1, 28, 28), path, opset_version=13,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
