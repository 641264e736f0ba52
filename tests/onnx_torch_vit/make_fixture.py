"""Writes the torch-exported ViT fixture that tests/test_onnx_torch_vit.cpp imports.

Needs Debian's PyTorch 1.13 (apt-get install python3-torch); CI does not run it, it reads the
committed output: vit.onnx (torch.onnx.export, opset 13, dynamic batch axis), and
test_data_set_0/{input_0,output_0}.pb (ONNX TensorProto, as in ONNX's own test data): four
inputs and torch's logits. The model is bench/reference/torch_vit.py's ViT, made small (width
16, 2 heads, MLP 32, depth 2) and with random weights, LayerNorm affine included, so that every
parameter matters.
Run: /usr/bin/python3 tests/onnx_torch_vit/make_fixture.py
"""
import os
import struct
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "bench", "reference"))
import torch_vit  # noqa: E402


def varint(n):
    out = b""
    while True:
        byte, n = n & 0x7F, n >> 7
        out += bytes([byte | (0x80 if n else 0)])
        if not n:
            return out


def tensor_proto(name, t):
    """TensorProto: dims (1), data_type FLOAT (2), name (8), raw_data (9)."""
    out = b"".join(b"\x08" + varint(d) for d in t.shape) + b"\x10\x01"
    out += b"\x42" + varint(len(name)) + name.encode()
    raw = struct.pack("<%df" % t.numel(), *t.flatten().tolist())
    return out + b"\x4a" + varint(len(raw)) + raw


def main():
    torch.manual_seed(24)
    model = torch_vit.VitTiny(dim=16, depth=2, heads=2, hidden=32)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name or name in ("cls", "pos"):
                p.add_(0.3 * torch.randn_like(p))
    model.eval()
    torch_vit.export(model, os.path.join(HERE, "vit.onnx"))
    x = torch.rand(4, 1, 28, 28)
    with torch.no_grad():
        y = model(x)
    data = os.path.join(HERE, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    for name, t in (("input_0", x), ("output_0", y)):
        with open(os.path.join(data, name + ".pb"), "wb") as f:
            f.write(tensor_proto(name, t))
    print("wrote vit.onnx and test_data_set_0; logits[0] =", y[0].tolist())


if __name__ == "__main__":
    main()
