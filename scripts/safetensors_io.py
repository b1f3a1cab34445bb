"""safetensors read/write for the fixture scripts, spelled out (Debian has no python3-safetensors).

The format: 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}, __metadata__},
padded with spaces to 8-byte alignment as the reference writer does, then the raw little-endian bytes.
Keys are written sorted, so the same tensors always give the same bytes.
"""
import json
import struct

import torch

DTYPES = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
          torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8",
          torch.bool: "BOOL"}
FROM_NAME = {v: k for k, v in DTYPES.items()}


def save_safetensors(tensors, path, metadata=None):
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    blobs = []
    off = 0
    for k in sorted(tensors):
        t = tensors[k].detach().contiguous().cpu()
        flat = t.reshape(-1).to(torch.uint8) if t.dtype == torch.bool else t.reshape(-1)
        b = flat.view(torch.uint8).numpy().tobytes() if flat.numel() else b""
        header[k] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    js = json.dumps(header, separators=(",", ":"))
    js += " " * ((8 - (8 + len(js.encode())) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(js.encode())))
        f.write(js.encode())
        for b in blobs:
            f.write(b)


def load_safetensors(path):
    """Tensors of a safetensors file (e.g. one written by tunet), as a dict."""
    with open(path, "rb") as f:
        buf = f.read()
    n = struct.unpack("<Q", buf[:8])[0]
    header = json.loads(buf[8:8 + n])
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        s, e = v["data_offsets"]
        dt = FROM_NAME[v["dtype"]]
        raw = torch.frombuffer(bytearray(buf[8 + n + s:8 + n + e]), dtype=torch.uint8) if e > s else torch.zeros(0, dtype=torch.uint8)
        t = raw.view(torch.uint8 if dt == torch.bool else dt).reshape(v["shape"]).clone()
        out[k] = t.bool() if dt == torch.bool else t
    return out
