"""Writes test/fixtures/mixed.safetensors with Python/PyTorch, following the safetensors spec exactly as the
reference writer does (keys sorted, header padded with spaces to 8-byte alignment), plus a JSON of the expected
values. The Python `safetensors` package is not in Debian, so the writer is spelled out here.

Run: /usr/bin/python3 scripts/make_safetensors_fixture.py
"""
import json
import os
from safetensors_io import save_safetensors

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures")



save = save_safetensors


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
