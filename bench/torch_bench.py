"""PyTorch side of tunet's benchmark: the same workloads as bench/run.ts, timed the same way.

Prints one JSON object {name: seconds_per_iteration}. Run by bench/run.ts with Debian's python3-torch.
"""
import json
import sys
import time

import torch
import torch.nn.functional as F


def timeit(fn, min_time=0.5, warmup=3):
    for _ in range(warmup):
        fn()
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        dt = time.perf_counter() - t0
        if dt >= min_time:
            return dt / n
        n = max(n * 2, int(n * min_time / max(dt, 1e-9)) + 1)


def main():
    spec = json.loads(sys.argv[1])
    torch.set_num_threads(spec["threads"])
    torch.manual_seed(0)
    out = {}
    small = torch.arange(0.0, 6.0)
    out["overhead: add (6 elements)"] = timeit(lambda: small + small, min_time=0.3)
    out["overhead: add scalar (6 elements)"] = timeit(lambda: small + 1, min_time=0.3)
    out["overhead: reshape"] = timeit(lambda: small.reshape(2, 3), min_time=0.3)
    out["overhead: sum"] = timeit(lambda: small.sum(), min_time=0.3)
    for n in spec["matmul"]:
        a = torch.randn(n, n)
        b = torch.randn(n, n)
        out[f"matmul {n}x{n}"] = timeit(lambda: a @ b)
    for (bs, c, hw, co) in spec["conv"]:
        x = torch.randn(bs, c, hw, hw, requires_grad=True)
        w = (torch.randn(co, c, 3, 3) * 0.1).requires_grad_()

        def step():
            y = F.conv2d(x, w, None, stride=1, padding=1)
            y.sum().backward()
            x.grad = None
            w.grad = None

        out[f"conv2d 3x3 fwd+bwd {bs}x{c}x{hw}x{hw} -> {co}"] = timeit(step)

        def fwd():
            with torch.no_grad():
                F.conv2d(x, w, None, stride=1, padding=1)

        out[f"conv2d 3x3 fwd {bs}x{c}x{hw}x{hw} -> {co}"] = timeit(fwd)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
