"""Fixtures for tunet's MobileNets (test/mobilenet.test.ts), from torchvision 0.14.

Writes
  test/fixtures/mobilenet_v2_c10.safetensors     torchvision.models.mobilenet_v2(num_classes=10): its state dict
                                                  (random init, seed 0) plus `__input__` (2x3x64x64),
                                                  `__output__` (its eval-mode logits, 2x10) and, for the U-Net's
                                                  skips, per-channel statistics of features.2/4/7/14.conv.0 and
                                                  features.17 (`__tap_s<stride>_mean__`, `_meansq__`, `_shape__`)
  test/fixtures/mobilenet_v3_small_w05_c10.safetensors
                                                  the same for mobilenet_v3_small(width_mult=0.5, num_classes=10)
  test/fixtures/mobilenet_keys.json               exact state-dict key/shape lists of mobilenet_v2 and
                                                  mobilenet_v3_large/small at 1000 classes, and parameter counts and
                                                  conv+linear multiply-adds at several widths

The BatchNorm statistics and affine parameters are made non-trivial: a few training-mode forwards on random
batches (so running_mean/var/num_batches_tracked move), then weight/bias drawn uniformly, the Linear layers re-drawn
with PyTorch's default scale (outputs of order 1), then eval mode.

The Python `safetensors` package is not in Debian, so the writer is spelled out (as in
scripts/make_safetensors_fixture.py: keys sorted, header padded with spaces to 8-byte alignment).

Run: /usr/bin/python3 scripts/make_mobilenet_fixture.py
"""
import json
import os
from safetensors_io import save_safetensors

import torch
import torch.nn as nn
import torchvision
from torchvision.models import mobilenet_v2, mobilenet_v3_large, mobilenet_v3_small

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures")



save = save_safetensors


def make_bn_nontrivial(model, gen, size):
    model.train()
    with torch.no_grad():
        for _ in range(3):
            model(torch.randn(4, 3, size, size, generator=gen))
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5, generator=gen)
                m.bias.uniform_(-0.2, 0.2, generator=gen)
            elif isinstance(m, nn.Linear):
                # torchvision's N(0, 0.01) classifier init gives outputs ~1e-3; PyTorch's default Linear
                # init makes them O(1) so that an absolute 1e-4 comparison means something.
                bound = 1 / m.weight.shape[1] ** 0.5
                m.weight.uniform_(-bound * 3 ** 0.5, bound * 3 ** 0.5, generator=gen)
                m.bias.uniform_(-bound, bound, generator=gen)
    model.eval()


def output_fixture(name, build, size=64, taps=None):
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    model = build()
    make_bn_nontrivial(model, gen, size)
    x = torch.randn(2, 3, size, size, generator=gen)
    seen = {}
    hooks = [mod.register_forward_hook(lambda m, i, o, k=k: seen.__setitem__(k, o)) for k, mod in (taps(model) if taps else {}).items()]
    with torch.no_grad():
        y = model(x)
    for h in hooks:
        h.remove()
    tensors = dict(model.state_dict())
    tensors["__input__"] = x
    tensors["__output__"] = y
    for k, o in seen.items():
        # The U-Net skips (test/unet_mobilenet.test.ts): per-channel mean and mean square over (N, H, W).
        tensors[f"__{k}_mean__"] = o.mean(dim=(0, 2, 3))
        tensors[f"__{k}_meansq__"] = (o * o).mean(dim=(0, 2, 3))
        tensors[f"__{k}_shape__"] = torch.tensor(list(o.shape), dtype=torch.int64)
    save(tensors, os.path.join(OUT, name), {"torch": torch.__version__, "torchvision": torchvision.__version__})
    print(name, tuple(y.shape), float(y.abs().max()))


def macs(model, size=224):
    total = [0]

    def hook(mod, inp, out):
        if isinstance(mod, nn.Conv2d):
            total[0] += out.numel() // out.shape[0] * mod.weight[0].numel()
        elif isinstance(mod, nn.Linear):
            total[0] += out.numel() // out.shape[0] * mod.weight.shape[1]

    hs = [m.register_forward_hook(hook) for m in model.modules()]
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 3, size, size))
    for h in hs:
        h.remove()
    return total[0]


def main():
    # The outputs TensorFlow's segmentation tutorial takes from Keras' MobileNetV2 (block_1/3/6/13_expand_relu,
    # block_16_project), at their torchvision places: see src/models/unet_mobilenet.ts.
    output_fixture("mobilenet_v2_c10.safetensors", lambda: mobilenet_v2(num_classes=10),
                   taps=lambda m: {"tap_s2": m.features[2].conv[0], "tap_s4": m.features[4].conv[0],
                                   "tap_s8": m.features[7].conv[0], "tap_s16": m.features[14].conv[0], "tap_s32": m.features[17]})
    output_fixture("mobilenet_v3_small_w05_c10.safetensors", lambda: mobilenet_v3_small(width_mult=0.5, num_classes=10))

    builders = {"mobilenet_v2": mobilenet_v2, "mobilenet_v3_large": mobilenet_v3_large, "mobilenet_v3_small": mobilenet_v3_small}
    doc = {"torch": torch.__version__, "torchvision": torchvision.__version__, "keys": {}, "counts": []}
    for name, build in builders.items():
        m = build()
        doc["keys"][name] = [[k, list(v.shape)] for k, v in m.state_dict().items()]
        for w in [0.5, 0.75, 1.0, 1.4]:
            mw = build(width_mult=w)
            doc["counts"].append({"model": name, "widthMult": w, "params": sum(p.numel() for p in mw.parameters()), "macs224": macs(mw)})
    with open(os.path.join(OUT, "mobilenet_keys.json"), "w") as f:
        json.dump(doc, f, separators=(",", ":"))
    for c in doc["counts"]:
        print(c)


if __name__ == "__main__":
    main()
