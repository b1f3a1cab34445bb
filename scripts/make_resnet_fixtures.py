#!/usr/bin/env python3
"""Writes the ResNet fixtures of test/twn_nets.test.ts from torchvision 0.14.

Run from the repository root with the system Python that has torch and torchvision:

    /usr/bin/python3 scripts/make_resnet_fixtures.py

Outputs (committed; the tests need no Python):

- test/fixtures/resnet_keys.json: for torchvision's resnet18, resnet34 and resnet50 with 1000 classes,
  the state-dict keys in order with shapes and dtypes, and the parameter count; plus the same for the
  reduced-width ResNet-18 of the numeric fixture.
- test/fixtures/resnet_small.safetensors: a ResNet-18 at width 1/4 (base width 16 instead of 64) with
  10 classes, built from torchvision's own ResNet class, BasicBlock and _make_layer (the subclass
  below only replaces the hard-coded widths 64/128/256/512 of ResNet.__init__), after
  torch.manual_seed(0); its BatchNorm affine weights are randomised and two training-mode forwards on
  random batches make the running statistics non-trivial. Keys:
      state/<key>   the state dict, exactly as model.state_dict() (the TS model loads it strictly)
      input         a 1x3x64x64 input
      eval/out      the output in eval mode (1x10)
      train/out     then the output in training mode on the same input (batch statistics)

Why the reduced width: the full resnet18(num_classes=10) has 11 181 642 parameters, 44.7 MB in
float32 and still 22.4 MB in float16, too big to commit. torchvision's ResNet has no width option, so
the width-1/4 model (same blocks, same keys, same code paths) is the numeric check, and the full-size
models are checked by their key/shape lists and parameter counts.

The safetensors format is written by hand (the `safetensors` package is not installed).
"""
import json
import os
from safetensors_io import save_safetensors

import torch
import torch.nn as nn
import torchvision
from torchvision.models import resnet18, resnet34, resnet50
from torchvision.models.resnet import BasicBlock, ResNet

torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_KEYS = os.path.join(ROOT, 'test', 'fixtures', 'resnet_keys.json')
OUT_ST = os.path.join(ROOT, 'test', 'fixtures', 'resnet_small.safetensors')

ST_DTYPE = {torch.float32: 'F32', torch.float64: 'F64', torch.int64: 'I64'}


class WidthResNet(ResNet):
    """torchvision's ResNet with the stage widths 64/128/256/512 multiplied by width_mult (rounded).

    Only __init__ is rewritten (it hard-codes the widths); _make_layer, forward and the blocks are
    torchvision's. With width_mult=1 it is exactly torchvision's ResNet (checked below).
    """

    def __init__(self, block, layers, width_mult=1.0, num_classes=1000):
        nn.Module.__init__(self)
        w = [int(round(c * width_mult)) for c in (64, 128, 256, 512)]
        self._norm_layer = nn.BatchNorm2d
        self.inplanes = w[0]
        self.dilation = 1
        self.groups = 1
        self.base_width = 64
        self.conv1 = nn.Conv2d(3, w[0], kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(w[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, w[0], layers[0])
        self.layer2 = self._make_layer(block, w[1], layers[1], stride=2)
        self.layer3 = self._make_layer(block, w[2], layers[2], stride=2)
        self.layer4 = self._make_layer(block, w[3], layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(w[3] * block.expansion, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)


def key_list(model):
    return [[k, list(v.shape), ST_DTYPE[v.dtype]] for k, v in model.state_dict().items()]


def count(model):
    return sum(p.numel() for p in model.parameters())


def main():
    doc = {'torch': torch.__version__, 'torchvision': torchvision.__version__, 'models': {}}
    for name, fn in (('resnet18', resnet18), ('resnet34', resnet34), ('resnet50', resnet50)):
        m = fn(num_classes=1000)
        doc['models'][name] = {'numClasses': 1000, 'params': count(m), 'keys': key_list(m)}

    # The subclass at width 1 is torchvision's resnet18 exactly (keys, shapes).
    assert key_list(WidthResNet(BasicBlock, [2, 2, 2, 2], 1.0)) == doc['models']['resnet18']['keys']

    torch.manual_seed(0)
    small = WidthResNet(BasicBlock, [2, 2, 2, 2], width_mult=0.25, num_classes=10)
    with torch.no_grad():
        for m in small.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0.0, 0.2)
    small.train()
    with torch.no_grad():
        for _ in range(2):
            small(torch.randn(4, 3, 64, 64))
    small.eval()
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        out_eval = small(x)
        small.train()
        state = {f'state/{k}': v.clone() for k, v in small.state_dict().items()}
        out_train = small(x)
    doc['small'] = {
        'widthMult': 0.25, 'numClasses': 10, 'params': count(small), 'keys': key_list(small),
    }
    tensors = dict(state)
    tensors['input'] = x
    tensors['eval/out'] = out_eval
    tensors['train/out'] = out_train
    save_safetensors(tensors, OUT_ST)
    with open(OUT_KEYS, 'w') as f:
        json.dump(doc, f, separators=(',', ':'))
        f.write('\n')
    print('resnet18', doc['models']['resnet18']['params'], 'resnet34', doc['models']['resnet34']['params'],
          'resnet50', doc['models']['resnet50']['params'], 'small', doc['small']['params'])
    print('sizes', os.path.getsize(OUT_ST), os.path.getsize(OUT_KEYS))


if __name__ == '__main__':
    main()
