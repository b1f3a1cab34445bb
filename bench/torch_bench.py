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


class DoubleConv(torch.nn.Sequential):
    def __init__(self, cin, cout):
        super().__init__(
            torch.nn.Conv2d(cin, cout, 3, padding=1, bias=False), torch.nn.BatchNorm2d(cout), torch.nn.ReLU(inplace=True),
            torch.nn.Conv2d(cout, cout, 3, padding=1, bias=False), torch.nn.BatchNorm2d(cout), torch.nn.ReLU(inplace=True))


class UNet(torch.nn.Module):
    """The same architecture as tunet's default U-Net (milesial's layout): BN, ReLU, max-pool, transposed conv."""

    def __init__(self, cin, classes, base, depth):
        super().__init__()
        w = [base * 2 ** i for i in range(depth + 1)]
        self.inc = DoubleConv(cin, w[0])
        self.downs = torch.nn.ModuleList(torch.nn.Sequential(torch.nn.MaxPool2d(2), DoubleConv(w[i], w[i + 1])) for i in range(depth))
        self.ups = torch.nn.ModuleList(torch.nn.ConvTranspose2d(w[i + 1], w[i], 2, stride=2) for i in reversed(range(depth)))
        self.convs = torch.nn.ModuleList(DoubleConv(w[i] * 2, w[i]) for i in reversed(range(depth)))
        self.outc = torch.nn.Conv2d(w[0], classes, 1)

    def forward(self, x):
        skips = [self.inc(x)]
        for d in self.downs:
            skips.append(d(skips[-1]))
        x = skips.pop()
        for up, conv in zip(self.ups, self.convs):
            x = conv(torch.cat([skips.pop(), up(x)], 1))
        return self.outc(x)


def unet_step_time(size, batch, base, depth, min_time):
    model = UNet(1, 2, base, depth)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(batch, 1, size, size)
    y = torch.randint(0, 2, (batch, size, size))

    def step():
        opt.zero_grad(set_to_none=True)
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()

    return timeit(step, min_time=min_time, warmup=2), sum(p.numel() for p in model.parameters())


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
    for (size, batch, base, depth) in spec.get("unet", []):
        t, n = unet_step_time(size, batch, base, depth, 2.0)
        out[f"U-Net Adam step {size}x{size} batch {batch} base {base} depth {depth}"] = t
        out[f"#params U-Net base {base} depth {depth}"] = n
    print(json.dumps(out))


if __name__ == "__main__":
    main()
