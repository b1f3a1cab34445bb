"""Writes the U-Net fixtures for test/unet.test.ts:

  test/fixtures/unet.safetensors           weights of the reference U-Net (transposed up-sampling, base width 8),
                                           its input, eval output, train-mode output and a few gradients
  test/fixtures/unet-bilinear.safetensors  the same for the bilinear variant
  test/fixtures/unet.json                  what was written, and parameter counts of the full-size reference
                                           (base width 64) as PyTorch counts them

The reference model below is a re-implementation of the structure of the widely used PyTorch U-Net by
milesial (https://github.com/milesial/Pytorch-UNet, unet/unet_parts.py and unet/unet_model.py, GPL-3.0): the
same modules under the same attribute names, so its state-dict keys are that project's
(inc.double_conv.{0,1,3,4}.*, down1.maxpool_conv.1.double_conv.*, up1.up.*, up1.conv.double_conv.*,
outc.conv.*). The code is written anew here; the only change is that the widths, hard-coded there as
64·2^level, are base·2^level so that a small fixture can be made (base=64 gives that project's model).
As in its current version, the 3×3 convolutions before BatchNorm have bias=False, and the bilinear variant
halves the bottleneck (factor 2) and lets each decoder DoubleConv halve its channels (mid = in // 2).

Run: /usr/bin/python3 scripts/make_unet_fixture.py
"""
import json
import os
from safetensors_io import save_safetensors

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "test", "fixtures")



save = save_safetensors


# ---- the reference U-Net (structure and names of milesial/Pytorch-UNet) ----

class DoubleConv(nn.Module):
    """Two (3×3 conv, padding 1, no bias → BatchNorm → ReLU); the first one maps to `mid` channels."""

    def __init__(self, cin, cout, mid=None):
        super().__init__()
        mid = mid or cout
        layers = []
        for a, b in ((cin, mid), (mid, cout)):
            layers += [nn.Conv2d(a, b, 3, padding=1, bias=False), nn.BatchNorm2d(b), nn.ReLU(inplace=True)]
        self.double_conv = nn.Sequential(*layers)

    def forward(self, x):
        return self.double_conv(x)


class Down(nn.Module):
    """2×2 max pooling, then a DoubleConv."""

    def __init__(self, cin, cout):
        super().__init__()
        self.maxpool_conv = nn.Sequential(nn.MaxPool2d(2), DoubleConv(cin, cout))

    def forward(self, x):
        return self.maxpool_conv(x)


class Up(nn.Module):
    """×2 up-sampling (bilinear with align_corners, or a 2×2 stride-2 transposed conv halving the channels),
    padding to the skip's size, concatenation [skip, upsampled], DoubleConv."""

    def __init__(self, cin, cout, bilinear):
        super().__init__()
        if bilinear:
            self.up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)
            self.conv = DoubleConv(cin, cout, cin // 2)
        else:
            self.up = nn.ConvTranspose2d(cin, cin // 2, kernel_size=2, stride=2)
            self.conv = DoubleConv(cin, cout)

    def forward(self, below, skip):
        below = self.up(below)
        dy = skip.shape[2] - below.shape[2]
        dx = skip.shape[3] - below.shape[3]
        below = F.pad(below, [dx // 2, dx - dx // 2, dy // 2, dy - dy // 2])
        return self.conv(torch.cat([skip, below], dim=1))


class OutConv(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel_size=1)

    def forward(self, x):
        return self.conv(x)


class UNet(nn.Module):
    def __init__(self, n_channels, n_classes, bilinear=False, base=64):
        super().__init__()
        w = [base * 2 ** i for i in range(5)]
        f = 2 if bilinear else 1
        self.inc = DoubleConv(n_channels, w[0])
        self.down1 = Down(w[0], w[1])
        self.down2 = Down(w[1], w[2])
        self.down3 = Down(w[2], w[3])
        self.down4 = Down(w[3], w[4] // f)
        self.up1 = Up(w[4], w[3] // f, bilinear)
        self.up2 = Up(w[3], w[2] // f, bilinear)
        self.up3 = Up(w[2], w[1] // f, bilinear)
        self.up4 = Up(w[1], w[0], bilinear)
        self.outc = OutConv(w[0], n_classes)

    def forward(self, x):
        x1 = self.inc(x)
        x2 = self.down1(x1)
        x3 = self.down2(x2)
        x4 = self.down3(x3)
        x5 = self.down4(x4)
        y = self.up1(x5, x4)
        y = self.up2(y, x3)
        y = self.up3(y, x2)
        y = self.up4(y, x1)
        return self.outc(y)


# ---- fixtures ----

GRAD_KEYS = ["inc.double_conv.0.weight", "inc.double_conv.1.weight", "down4.maxpool_conv.1.double_conv.3.weight",
             "up1.conv.double_conv.0.weight", "up4.conv.double_conv.4.bias", "outc.conv.weight", "outc.conv.bias"]


def make(bilinear, name):
    torch.manual_seed(1234 + int(bilinear))
    m = UNet(1, 2, bilinear=bilinear, base=8)
    if not bilinear:
        GRAD = GRAD_KEYS + ["up1.up.weight", "up3.up.bias"]
    else:
        GRAD = GRAD_KEYS
    with torch.no_grad():
        # non-trivial affine BatchNorm parameters
        for mod in m.modules():
            if isinstance(mod, nn.BatchNorm2d):
                mod.weight.uniform_(0.5, 1.5)
                mod.bias.uniform_(-0.2, 0.2)
    # a few training-mode forwards so that the running statistics are not the initial ones
    m.train()
    with torch.no_grad():
        for _ in range(3):
            m(torch.randn(2, 1, 64, 64) * 2 + 0.5)
    state = {k: v.clone() for k, v in m.state_dict().items()}
    x = torch.randn(1, 1, 64, 64)
    m.eval()
    with torch.no_grad():
        out_eval = m(x)
    # train mode (batch statistics): output and gradients of sum(out · w)
    m.train()
    out_train = m(x)
    wgt = torch.randn(out_train.shape)
    (out_train * wgt).sum().backward()
    params = dict(m.named_parameters())
    tensors = {f"state/{k}": v for k, v in state.items()}
    tensors["input"] = x
    tensors["output_eval"] = out_eval
    tensors["output_train"] = out_train.detach()
    tensors["loss_weight"] = wgt
    for k in GRAD:
        tensors[f"grad/{k}"] = params[k].grad.clone()
    save(tensors, os.path.join(OUT, f"{name}.safetensors"), {"generator": "scripts/make_unet_fixture.py", "torch": torch.__version__})
    return {"file": f"{name}.safetensors", "bilinear": bilinear, "base": 8, "n_channels": 1, "n_classes": 2,
            "numParameters": sum(p.numel() for p in m.parameters()), "stateKeys": list(state.keys()), "gradKeys": GRAD}


def main():
    torch.set_num_threads(1)
    doc = {"generator": "scripts/make_unet_fixture.py", "torch": torch.__version__, "reference": "milesial/Pytorch-UNet structure",
           "fixtures": [make(False, "unet"), make(True, "unet-bilinear")], "paramCounts": []}
    for n_channels, n_classes, bilinear in ((3, 2, False), (3, 2, True), (1, 1, False), (3, 1, True)):
        m = UNet(n_channels, n_classes, bilinear=bilinear)
        doc["paramCounts"].append({"n_channels": n_channels, "n_classes": n_classes, "bilinear": bilinear, "base": 64,
                                   "numParameters": sum(p.numel() for p in m.parameters()),
                                   "stateDictEntries": len(m.state_dict())})
    with open(os.path.join(OUT, "unet.json"), "w") as f:
        json.dump(doc, f, indent=1)
    for c in doc["paramCounts"]:
        print(c)


if __name__ == "__main__":
    main()
