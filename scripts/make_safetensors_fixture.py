"""Writes test/fixtures/mixed.safetensors with Python/PyTorch, following the safetensors spec exactly as the
reference writer does (keys sorted, header padded with spaces to 8-byte alignment), plus a JSON of the expected
values. The Python `safetensors` package is not in Debian, so the writer is spelled out here.

Run: /usr/bin/python3 scripts/make_safetensors_fixture.py
"""
import json
import os
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures")

DT = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
      torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8", torch.bool: "BOOL"}


def save(tensors, path, metadata=None):
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    blobs = []
    off = 0
    for k in sorted(tensors):
        t = tensors[k].contiguous()
        flat = t.reshape(-1) if t.dtype != torch.bool else t.reshape(-1).to(torch.uint8)
        b = flat.view(torch.uint8).numpy().tobytes() if flat.numel() else b""
        header[k] = {"dtype": DT[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    js = json.dumps(header, separators=(",", ":"))
    js += " " * ((8 - (8 + len(js)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(js)))
        f.write(js.encode())
        for b in blobs:
            f.write(b)


def main():
    g = torch.Generator().manual_seed(0)
    tensors = {
        "conv.weight": torch.randn(4, 3, 3, 3, generator=g),
        "conv.bias": torch.randn(4, generator=g).double(),
        "half": torch.linspace(-2, 2, 7).half(),
        "bf16": torch.linspace(-2, 2, 5).bfloat16(),
        "steps": torch.tensor([1, -2, 3], dtype=torch.int64),
        "i32": torch.tensor([[7, -8], [9, 10]], dtype=torch.int32),
        "u8": torch.tensor([0, 255, 128], dtype=torch.uint8),
        "mask": torch.tensor([True, False, True]),
        "scalar": torch.tensor(3.5),
        "empty": torch.zeros(0, 3),
    }
    save(tensors, os.path.join(OUT, "mixed.safetensors"), {"format": "pt", "source": "pytorch"})
    expected = {k: {"dtype": str(v.dtype).replace("torch.", ""), "shape": list(v.shape),
                    "values": v.float().flatten().tolist() if v.dtype != torch.bool else v.flatten().tolist()}
                for k, v in tensors.items()}
    with open(os.path.join(OUT, "mixed.safetensors.json"), "w") as f:
        json.dump(expected, f, indent=1)


if __name__ == "__main__":
    main()
