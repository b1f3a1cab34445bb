#!/usr/bin/env python3
"""Writes the layer fixtures of test/layers.test.ts and test/init.test.ts from PyTorch.

Run from the repository root with the system Python that has torch:

    /usr/bin/python3 scripts/make_layer_fixtures.py

Outputs (all committed; the tests need no Python):

- test/fixtures/layers.json: one entry per case: the TypeScript constructor (`ctor`, `args`, the
  camelCase options of tunet's layer) mirrored by a PyTorch module built here, the modes run, the
  state-dict keys with shapes and safetensors dtypes, and the parameter count. Also the init cases,
  calculate_gain values, and the default-initialisation cases (same seed, same weights).
- test/fixtures/layers.safetensors: every tensor of the cases, under '<case>/<what>':
    <case>/state/<key>          the state dict the TypeScript layer loads (after a warm-up that
                                makes running statistics non-trivial, and random affine weights)
    <case>/input                the input
    <case>/<mode>/out           the output in mode 'train' or 'eval'
    <case>/<mode>/grad/input    d/d input of L = sum(out * w)
    <case>/<mode>/grad/<param>  d/d parameter of L
    <case>/train/after/<buffer> buffers after the training-mode forward (running statistics)
    seedinit/<case>/<key>       the state dict of a layer built right after torch.manual_seed(seed)
    init/<case>                 a tensor filled by torch.nn.init.<fn> right after manual_seed(seed)
  w is the fixed tensor with elements ((7*i + 3) % 11 - 5.5) / 4 (i the flat index).
- test/fixtures/layers-composite.safetensors: the plain state dict of the composite model (keys
  exactly as PyTorch's model.state_dict()), as a user would save it from PyTorch.

The `safetensors` package is not needed: the format (8-byte little-endian header length, JSON
header {name: {dtype, shape, data_offsets}}, raw little-endian bytes) is written by hand below.

torchvision is not needed either: SqueezeExcitation, Conv2dNormActivation, MobileNetV2/V3's
InvertedResidual and ResNet's BasicBlock/Bottleneck are transcribed from torchvision 0.14's source
(same module structure, so the same state-dict keys).
"""
import copy
import json
import math
import os
from safetensors_io import load_safetensors, save_safetensors
import sys
from functools import partial

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_JSON = os.path.join(ROOT, 'test', 'fixtures', 'layers.json')
OUT_ST = os.path.join(ROOT, 'test', 'fixtures', 'layers.safetensors')
OUT_COMPOSITE = os.path.join(ROOT, 'test', 'fixtures', 'layers-composite.safetensors')

ST_DTYPE = {torch.float32: 'F32', torch.float64: 'F64', torch.int64: 'I64'}

G = torch.Generator().manual_seed(20240611)


# ---------------------------------------------------------------- safetensors by hand

def write_safetensors(path, tensors):
    save_safetensors(tensors, path)


read_safetensors = load_safetensors


# ---------------------------------------------------------------- torchvision transcriptions

def _make_divisible(v, divisor, min_value=None):
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


class Conv2dNormActivation(nn.Sequential):
    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=None, groups=1,
                 norm_layer=nn.BatchNorm2d, activation_layer=nn.ReLU, dilation=1, inplace=True, bias=None):
        if padding is None:
            padding = (kernel_size - 1) // 2 * dilation
        if bias is None:
            bias = norm_layer is None
        layers = [nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, dilation=dilation, groups=groups, bias=bias)]
        if norm_layer is not None:
            layers.append(norm_layer(out_channels))
        if activation_layer is not None:
            params = {} if inplace is None else {'inplace': inplace}
            layers.append(activation_layer(**params))
        super().__init__(*layers)


class SqueezeExcitation(nn.Module):
    def __init__(self, input_channels, squeeze_channels, activation=nn.ReLU, scale_activation=nn.Sigmoid):
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(input_channels, squeeze_channels, 1)
        self.fc2 = nn.Conv2d(squeeze_channels, input_channels, 1)
        self.activation = activation()
        self.scale_activation = scale_activation()

    def _scale(self, input):
        scale = self.avgpool(input)
        scale = self.fc1(scale)
        scale = self.activation(scale)
        scale = self.fc2(scale)
        return self.scale_activation(scale)

    def forward(self, input):
        return self._scale(input) * input


class InvertedResidualV2(nn.Module):
    def __init__(self, inp, oup, stride, expand_ratio, norm_layer=None):
        super().__init__()
        self.stride = stride
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        hidden_dim = int(round(inp * expand_ratio))
        self.use_res_connect = self.stride == 1 and inp == oup
        layers = []
        if expand_ratio != 1:
            layers.append(Conv2dNormActivation(inp, hidden_dim, kernel_size=1, norm_layer=norm_layer, activation_layer=nn.ReLU6))
        layers.extend([
            Conv2dNormActivation(hidden_dim, hidden_dim, stride=stride, groups=hidden_dim, norm_layer=norm_layer, activation_layer=nn.ReLU6),
            nn.Conv2d(hidden_dim, oup, 1, 1, 0, bias=False),
            norm_layer(oup),
        ])
        self.conv = nn.Sequential(*layers)

    def forward(self, x):
        if self.use_res_connect:
            return x + self.conv(x)
        return self.conv(x)


class InvertedResidualConfig:
    def __init__(self, input_channels, kernel, expanded_channels, out_channels, use_se, activation, stride, dilation):
        self.input_channels = input_channels
        self.kernel = kernel
        self.expanded_channels = expanded_channels
        self.out_channels = out_channels
        self.use_se = use_se
        self.use_hs = activation == 'HS'
        self.stride = stride
        self.dilation = dilation


class InvertedResidualV3(nn.Module):
    def __init__(self, cnf, norm_layer, se_layer=partial(SqueezeExcitation, scale_activation=nn.Hardsigmoid)):
        super().__init__()
        self.use_res_connect = cnf.stride == 1 and cnf.input_channels == cnf.out_channels
        layers = []
        activation_layer = nn.Hardswish if cnf.use_hs else nn.ReLU
        if cnf.expanded_channels != cnf.input_channels:
            layers.append(Conv2dNormActivation(cnf.input_channels, cnf.expanded_channels, kernel_size=1, norm_layer=norm_layer, activation_layer=activation_layer))
        stride = 1 if cnf.dilation > 1 else cnf.stride
        layers.append(Conv2dNormActivation(cnf.expanded_channels, cnf.expanded_channels, kernel_size=cnf.kernel, stride=stride, dilation=cnf.dilation,
                                           groups=cnf.expanded_channels, norm_layer=norm_layer, activation_layer=activation_layer))
        if cnf.use_se:
            squeeze_channels = _make_divisible(cnf.expanded_channels // 4, 8)
            layers.append(se_layer(cnf.expanded_channels, squeeze_channels))
        layers.append(Conv2dNormActivation(cnf.expanded_channels, cnf.out_channels, kernel_size=1, norm_layer=norm_layer, activation_layer=None))
        self.block = nn.Sequential(*layers)

    def forward(self, input):
        result = self.block(input)
        if self.use_res_connect:
            result += input
        return result


V3_NORM = partial(nn.BatchNorm2d, eps=0.001, momentum=0.01)


def conv3x3(in_planes, out_planes, stride=1, groups=1, dilation=1):
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=dilation, groups=groups, bias=False, dilation=dilation)


def conv1x1(in_planes, out_planes, stride=1):
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x
        out = self.conv1(x)
        out = self.bn1(out)
        out = self.relu(out)
        out = self.conv2(out)
        out = self.bn2(out)
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        out = self.relu(out)
        return out


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1):
        super().__init__()
        width = int(planes * (base_width / 64.0)) * groups
        self.conv1 = conv1x1(inplanes, width)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = conv3x3(width, width, stride, groups, dilation)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        return self.relu(out)


def downsample(inplanes, outplanes, stride):
    """As torchvision's ResNet._make_layer."""
    return nn.Sequential(conv1x1(inplanes, outplanes, stride), nn.BatchNorm2d(outplanes))


# ---------------------------------------------------------------- layers tunet has and PyTorch has not

class Fn(nn.Module):
    def __init__(self, f):
        super().__init__()
        self.f = f

    def forward(self, x):
        return self.f(x)


class DepthwiseSeparableConv2d(nn.Module):
    def __init__(self, cin, cout, k, stride=1, padding=0, dilation=1, bias=True, depth_multiplier=1, padding_mode='zeros'):
        super().__init__()
        self.depthwise = nn.Conv2d(cin, cin * depth_multiplier, k, stride, padding, dilation, groups=cin, bias=bias, padding_mode=padding_mode)
        self.pointwise = nn.Conv2d(cin * depth_multiplier, cout, 1, bias=bias)

    def forward(self, x):
        return self.pointwise(self.depthwise(x))


def stochastic_pool_eval(x, k, stride):
    """Zeiler & Fergus's test-time rule: sum_i p_i a_i with p_i = a_i / sum_j a_j (a clamped at 0)."""
    n, c, h, w = x.shape
    cols = F.unfold(x.reshape(n * c, 1, h, w), k, stride=stride)  # (N·C, k·k, L)
    a = cols.clamp(min=0)
    num = (a * a).sum(1)
    den = a.sum(1)
    out = num / torch.where(den == 0, torch.ones_like(den), den)
    ho = (h - k) // stride + 1
    wo = (w - k) // stride + 1
    return out.reshape(n, c, ho, wo)


class Maxout(nn.Module):
    def __init__(self, pieces):
        super().__init__()
        self.pieces = pieces

    def forward(self, x):
        n, c = x.shape[:2]
        return x.reshape(n, c // self.pieces, self.pieces, *x.shape[2:]).max(2).values


class MaxoutLinear(nn.Module):
    def __init__(self, fin, fout, pieces):
        super().__init__()
        self.pieces = pieces
        lin = nn.Linear(fin, fout * pieces)
        self.weight = lin.weight
        self.bias = lin.bias

    def forward(self, x):
        z = F.linear(x, self.weight, self.bias)
        return z.reshape(*z.shape[:-1], -1, self.pieces).max(-1).values


def hardlim(x):
    return (x >= 0).to(x.dtype)


def hardlims(x):
    return hardlim(x) * 2 - 1


def composite():
    """The composite model of test/layers.test.ts (built there with tunet's layers)."""
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.MaxPool2d(2),
        BasicBlock(8, 16, 2, downsample(8, 16, 2)),
        InvertedResidualV2(16, 16, 1, 2),
        InvertedResidualV3(InvertedResidualConfig(16, 3, 32, 24, True, 'HS', 2, 1), V3_NORM),
        SqueezeExcitation(24, 8, scale_activation=nn.Hardsigmoid),
        Fn(lambda t: t.mean((2, 3))),
        nn.Dropout(0.0),
        nn.Linear(24, 5),
    )


# ---------------------------------------------------------------- cases

def R(*shape, scale=1.0):
    return torch.randn(shape, generator=G, dtype=torch.float64).mul(scale).float()


def AWAY(*shape, lo=0.2, hi=2.0):
    mag = torch.rand(shape, generator=G, dtype=torch.float64) * (hi - lo) + lo
    sign = torch.where(torch.rand(shape, generator=G) < 0.5, -1.0, 1.0).double()
    return (mag * sign).float()


def RELU_IN(*shape):
    return R(*shape).clamp(min=0)


# (name, ts ctor, ts args, python builder, input, modes, differentiable)
CASES = []


def case(name, ctor, args, build, x, modes=('eval',), grad=True, tol=None):
    CASES.append(dict(name=name, ctor=ctor, args=args, build=build, x=x, modes=modes, grad=grad, tol=tol))


TE = ('train', 'eval')

case('linear', 'Linear', [5, 4], lambda: nn.Linear(5, 4), R(3, 5))
case('linear_nobias', 'Linear', [5, 4, {'bias': False}], lambda: nn.Linear(5, 4, bias=False), R(2, 3, 5))
case('conv2d', 'Conv2d', [3, 4, 3, {'stride': 2, 'padding': 1}], lambda: nn.Conv2d(3, 4, 3, stride=2, padding=1), R(2, 3, 7, 7))
case('conv2d_same_reflect', 'Conv2d', [3, 4, 3, {'padding': 'same', 'paddingMode': 'reflect'}],
     lambda: nn.Conv2d(3, 4, 3, padding='same', padding_mode='reflect'), R(2, 3, 6, 5))
case('conv2d_same_even_dilated_replicate', 'Conv2d', [2, 3, [4, 2], {'padding': 'same', 'dilation': [1, 2], 'paddingMode': 'replicate'}],
     lambda: nn.Conv2d(2, 3, (4, 2), padding='same', dilation=(1, 2), padding_mode='replicate'), R(2, 2, 6, 7))
case('conv2d_same_even_zeros', 'Conv2d', [2, 3, 4, {'padding': 'same'}], lambda: nn.Conv2d(2, 3, 4, padding='same'), R(1, 2, 6, 5))
case('conv2d_full_dilated', 'Conv2d', [2, 3, 3, {'padding': 'full', 'dilation': 2}], lambda: nn.Conv2d(2, 3, 3, padding=4, dilation=2), R(1, 2, 5, 6))
case('conv2d_full_circular', 'Conv2d', [2, 3, 3, {'padding': 'full', 'paddingMode': 'circular'}],
     lambda: nn.Conv2d(2, 3, 3, padding=2, padding_mode='circular'), R(1, 2, 5, 5))
case('conv2d_valid_groups_nobias', 'Conv2d', [4, 6, 3, {'padding': 'valid', 'groups': 2, 'bias': False}],
     lambda: nn.Conv2d(4, 6, 3, padding='valid', groups=2, bias=False), R(2, 4, 5, 5))
case('conv2d_reflect_numeric', 'Conv2d', [2, 3, 3, {'padding': [1, 2], 'paddingMode': 'reflect'}],
     lambda: nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode='reflect'), R(2, 2, 5, 6))
case('conv1d', 'Conv1d', [3, 4, 3, {'padding': 1, 'stride': 2}], lambda: nn.Conv1d(3, 4, 3, padding=1, stride=2), R(2, 3, 9))
case('conv1d_same_circular', 'Conv1d', [2, 3, 4, {'padding': 'same', 'paddingMode': 'circular'}],
     lambda: nn.Conv1d(2, 3, 4, padding='same', padding_mode='circular'), R(2, 2, 7))
case('conv_transpose2d', 'ConvTranspose2d', [4, 3, 3, {'stride': 2, 'padding': 1, 'outputPadding': 1}],
     lambda: nn.ConvTranspose2d(4, 3, 3, stride=2, padding=1, output_padding=1), R(2, 4, 4, 4))
case('conv_transpose2d_groups', 'ConvTranspose2d', [4, 6, [2, 3], {'groups': 2, 'stride': [2, 1], 'dilation': [1, 2], 'bias': False}],
     lambda: nn.ConvTranspose2d(4, 6, (2, 3), groups=2, stride=(2, 1), dilation=(1, 2), bias=False), R(2, 4, 3, 4))
case('depthwise_separable', 'DepthwiseSeparableConv2d', [4, 6, 3, {'padding': 1, 'depthMultiplier': 2}],
     lambda: DepthwiseSeparableConv2d(4, 6, 3, padding=1, depth_multiplier=2), R(2, 4, 5, 5))
case('depthwise_separable_strided_nobias', 'DepthwiseSeparableConv2d', [3, 5, 3, {'stride': 2, 'bias': False, 'paddingMode': 'reflect', 'padding': 1}],
     lambda: DepthwiseSeparableConv2d(3, 5, 3, stride=2, padding=1, bias=False, padding_mode='reflect'), R(1, 3, 7, 6))

case('batchnorm1d', 'BatchNorm1d', [4], lambda: nn.BatchNorm1d(4), R(6, 4), TE)
case('batchnorm1d_3d_cumulative', 'BatchNorm1d', [3, {'momentum': None}], lambda: nn.BatchNorm1d(3, momentum=None), R(4, 3, 5), TE)
case('batchnorm2d', 'BatchNorm2d', [3], lambda: nn.BatchNorm2d(3), R(4, 3, 5, 5, scale=2.0), TE)
case('batchnorm2d_noaffine', 'BatchNorm2d', [3, {'affine': False, 'momentum': 0.3, 'eps': 1e-3}],
     lambda: nn.BatchNorm2d(3, affine=False, momentum=0.3, eps=1e-3), R(3, 3, 4, 4), TE)
case('batchnorm2d_notrack', 'BatchNorm2d', [3, {'trackRunningStats': False}], lambda: nn.BatchNorm2d(3, track_running_stats=False), R(3, 3, 4, 4), TE)
case('groupnorm', 'GroupNorm', [2, 4], lambda: nn.GroupNorm(2, 4), R(2, 4, 3, 3))
case('groupnorm_noaffine', 'GroupNorm', [3, 6, {'affine': False, 'eps': 1e-3}], lambda: nn.GroupNorm(3, 6, affine=False, eps=1e-3), R(2, 6, 2, 3))
case('layernorm', 'LayerNorm', [[3, 4]], lambda: nn.LayerNorm([3, 4]), R(2, 5, 3, 4))
case('layernorm_noaffine', 'LayerNorm', [6, {'elementwiseAffine': False}], lambda: nn.LayerNorm(6, elementwise_affine=False), R(4, 6))
case('instancenorm', 'InstanceNorm2d', [3], lambda: nn.InstanceNorm2d(3), R(2, 3, 4, 4), TE)
case('instancenorm_affine_track', 'InstanceNorm2d', [3, {'affine': True, 'trackRunningStats': True}],
     lambda: nn.InstanceNorm2d(3, affine=True, track_running_stats=True), R(2, 3, 4, 4), TE)
case('instancenorm_unbatched', 'InstanceNorm2d', [3, {'affine': True}], lambda: nn.InstanceNorm2d(3, affine=True), R(3, 4, 5), TE)
case('dropout_p0', 'Dropout', [0], lambda: nn.Dropout(0.0), R(3, 4), TE)
case('dropout2d_p0', 'Dropout2d', [0], lambda: nn.Dropout2d(0.0), R(2, 3, 2, 2), TE)

case('maxpool2d', 'MaxPool2d', [3, {'stride': 2, 'padding': 1}], lambda: nn.MaxPool2d(3, 2, 1), R(2, 3, 7, 7))
case('maxpool2d_ceil_dilated', 'MaxPool2d', [2, {'stride': 2, 'dilation': 2, 'ceilMode': True}], lambda: nn.MaxPool2d(2, 2, dilation=2, ceil_mode=True), R(1, 2, 7, 8))
case('avgpool2d', 'AvgPool2d', [3, {'stride': 2, 'padding': 1, 'countIncludePad': False}],
     lambda: nn.AvgPool2d(3, 2, 1, count_include_pad=False), R(2, 3, 7, 7))
case('adaptive_avgpool2d', 'AdaptiveAvgPool2d', [[2, 3]], lambda: nn.AdaptiveAvgPool2d((2, 3)), R(2, 3, 7, 8))
case('global_avgpool2d', 'GlobalAvgPool2d', [], lambda: Fn(lambda t: t.mean((2, 3))), R(2, 3, 4, 5))
case('global_avgpool2d_keepdim', 'GlobalAvgPool2d', [{'keepdim': True}], lambda: nn.AdaptiveAvgPool2d(1), R(2, 3, 4, 5))
case('stochastic_pool_eval', 'StochasticPool2d', [2], lambda: Fn(lambda t: stochastic_pool_eval(t, 2, 2)), RELU_IN(2, 3, 6, 6))
case('stochastic_pool_eval_stride', 'StochasticPool2d', [3, {'stride': 2}], lambda: Fn(lambda t: stochastic_pool_eval(t, 3, 2)), RELU_IN(1, 2, 7, 7))
case('upsample_nearest', 'Upsample', [{'scaleFactor': 2}], lambda: nn.Upsample(scale_factor=2), R(1, 2, 3, 4))
case('upsample_bilinear_size', 'Upsample', [{'size': [5, 7], 'mode': 'bilinear', 'alignCorners': False}],
     lambda: nn.Upsample(size=(5, 7), mode='bilinear', align_corners=False), R(1, 2, 3, 4))
case('upsample_bilinear_corners', 'Upsample', [{'scaleFactor': 2, 'mode': 'bilinear', 'alignCorners': True}],
     lambda: nn.Upsample(scale_factor=2, mode='bilinear', align_corners=True), R(1, 2, 3, 4))
case('flatten', 'Flatten', [], lambda: nn.Flatten(), R(2, 3, 2, 2))
case('identity', 'Identity', [], lambda: nn.Identity(), R(2, 3))

ACTS = [
    ('ReLU', [], lambda: nn.ReLU()), ('ReLU6', [], lambda: nn.ReLU6()), ('LeakyReLU', [0.2], lambda: nn.LeakyReLU(0.2)),
    ('ELU', [0.5], lambda: nn.ELU(0.5)), ('SELU', [], lambda: nn.SELU()), ('CELU', [1.5], lambda: nn.CELU(1.5)),
    ('GELU', [], lambda: nn.GELU()), ('GELU', ['tanh'], lambda: nn.GELU('tanh')), ('SiLU', [], lambda: nn.SiLU()),
    ('Swish', [], lambda: nn.SiLU()), ('Hardswish', [], lambda: nn.Hardswish()), ('HSwish', [], lambda: nn.Hardswish()),
    ('Hardsigmoid', [], lambda: nn.Hardsigmoid()), ('Mish', [], lambda: nn.Mish()), ('Softplus', [2, 5], lambda: nn.Softplus(2, 5)),
    ('Softsign', [], lambda: nn.Softsign()), ('Sigmoid', [], lambda: nn.Sigmoid()), ('Tanh', [], lambda: nn.Tanh()),
    ('Hardtanh', [-0.5, 1.5], lambda: nn.Hardtanh(-0.5, 1.5)), ('LogSigmoid', [], lambda: nn.LogSigmoid()),
    ('Softmax', [1], lambda: nn.Softmax(1)), ('LogSoftmax', [-1], lambda: nn.LogSoftmax(-1)),
    ('Purelin', [], lambda: nn.Identity()), ('Logsig', [], lambda: nn.Sigmoid()), ('Tansig', [], lambda: nn.Tanh()),
    ('RadBas', [], lambda: Fn(lambda t: torch.exp(-t * t))), ('Satlin', [], lambda: nn.Hardtanh(0, 1)),
    ('Satlins', [], lambda: nn.Hardtanh(-1, 1)), ('Poslin', [], lambda: nn.ReLU()),
]
for i, (ctor, args, build) in enumerate(ACTS):
    case(f'act_{ctor}{"_" + str(i) if args else ""}', ctor, args, build, AWAY(2, 3, 4, hi=4.0))
case('act_Hardlim', 'Hardlim', [], lambda: Fn(hardlim), AWAY(2, 3, 4), grad=False)
case('act_Hardlims', 'Hardlims', [], lambda: Fn(hardlims), AWAY(2, 3, 4), grad=False)
case('prelu', 'PReLU', [], lambda: nn.PReLU(), AWAY(2, 3, 4))
case('prelu_channels', 'PReLU', [3, 0.1], lambda: nn.PReLU(3, 0.1), AWAY(2, 3, 4, 4))
case('maxout', 'Maxout', [3], lambda: Maxout(3), R(2, 6, 4, 4))
case('maxout_linear', 'MaxoutLinear', [5, 4, 3], lambda: MaxoutLinear(5, 4, 3), R(3, 5))

case('squeeze_excite', 'SqueezeExcite', [16], lambda: SqueezeExcitation(16, 8, scale_activation=nn.Hardsigmoid), R(2, 16, 5, 5))
case('squeeze_excite_sigmoid', 'SqueezeExcite', [12, {'squeezeChannels': 5, 'scaleActivation': 'sigmoid'}],
     lambda: SqueezeExcitation(12, 5), R(2, 12, 3, 4))
case('conv_norm_act', 'Conv2dNormActivation', [3, 8, {'stride': 2}], lambda: Conv2dNormActivation(3, 8, stride=2), R(2, 3, 7, 7), TE)
case('inverted_residual_v2', 'InvertedResidual', [8, 8, {'expandRatio': 4}], lambda: InvertedResidualV2(8, 8, 1, 4), R(2, 8, 6, 6), TE)
case('inverted_residual_v2_noexpand_s2', 'InvertedResidual', [8, 12, {'stride': 2, 'expandRatio': 1}],
     lambda: InvertedResidualV2(8, 12, 2, 1), R(2, 8, 7, 7), TE)
case('inverted_residual_v3_se_hs', 'InvertedResidual', [8, 16, {'version': 'v3', 'expandedChannels': 24, 'useSE': True, 'activation': 'hardswish', 'kernelSize': 5, 'stride': 2}],
     lambda: InvertedResidualV3(InvertedResidualConfig(8, 5, 24, 16, True, 'HS', 2, 1), V3_NORM), R(2, 8, 7, 7), TE)
case('inverted_residual_v3_res', 'InvertedResidual', [16, 16, {'version': 'v3', 'expandedChannels': 16, 'useSE': True}],
     lambda: InvertedResidualV3(InvertedResidualConfig(16, 3, 16, 16, True, 'RE', 1, 1), V3_NORM), R(2, 16, 5, 5), TE)
case('basic_block', 'BasicBlock', [8, 8], lambda: BasicBlock(8, 8), R(2, 8, 5, 5), TE)
case('basic_block_downsample', 'BasicBlock', [8, 16, {'stride': 2}], lambda: BasicBlock(8, 16, 2, downsample(8, 16, 2)), R(2, 8, 6, 6), TE)
case('bottleneck', 'Bottleneck', [16, 4], lambda: Bottleneck(16, 4), R(2, 16, 5, 5), TE)
case('bottleneck_grouped_downsample', 'Bottleneck', [8, 4, {'stride': 2, 'groups': 2}],
     lambda: Bottleneck(8, 4, 2, downsample(8, 16, 2), groups=2), R(2, 8, 6, 6), TE)
case('composite', 'Composite', [], composite, R(2, 3, 16, 16), TE)

# Built right after manual_seed(seed): PyTorch's default initialisation drawn from the same
# generator, so tunet must give the same numbers.
SEED_INIT = [
    ('linear', 'Linear', [7, 5], lambda: nn.Linear(7, 5)),
    ('conv2d', 'Conv2d', [3, 6, 3, {'groups': 3}], lambda: nn.Conv2d(3, 6, 3, groups=3)),
    ('conv1d', 'Conv1d', [2, 4, 5], lambda: nn.Conv1d(2, 4, 5)),
    ('conv_transpose2d', 'ConvTranspose2d', [4, 6, 3, {'groups': 2}], lambda: nn.ConvTranspose2d(4, 6, 3, groups=2)),
    ('depthwise_separable', 'DepthwiseSeparableConv2d', [4, 6, 3], lambda: DepthwiseSeparableConv2d(4, 6, 3)),
    ('batchnorm2d', 'BatchNorm2d', [5], lambda: nn.BatchNorm2d(5)),
    ('prelu', 'PReLU', [4], lambda: nn.PReLU(4)),
    ('squeeze_excite', 'SqueezeExcite', [16], lambda: SqueezeExcitation(16, 8, scale_activation=nn.Hardsigmoid)),
    ('inverted_residual_v3', 'InvertedResidual', [8, 16, {'version': 'v3', 'expandedChannels': 24, 'useSE': True, 'activation': 'hardswish'}],
     lambda: InvertedResidualV3(InvertedResidualConfig(8, 3, 24, 16, True, 'HS', 1, 1), V3_NORM)),
]

# torch.nn.init functions after manual_seed(seed); ts gives tunet's call.
INITS = [
    ('xavier_uniform', [16, 12], lambda t: nn.init.xavier_uniform_(t), {'fn': 'xavierUniform_', 'args': []}),
    ('xavier_uniform_gain', [8, 4, 3, 3], lambda t: nn.init.xavier_uniform_(t, gain=nn.init.calculate_gain('relu')), {'fn': 'xavierUniform_', 'args': [math.sqrt(2)]}),
    ('xavier_normal', [20, 10], lambda t: nn.init.xavier_normal_(t, gain=0.5), {'fn': 'xavierNormal_', 'args': [0.5]}),
    ('kaiming_uniform', [16, 12], lambda t: nn.init.kaiming_uniform_(t), {'fn': 'kaimingUniform_', 'args': []}),
    ('kaiming_uniform_a_sqrt5', [6, 3, 3, 3], lambda t: nn.init.kaiming_uniform_(t, a=math.sqrt(5)), {'fn': 'kaimingUniform_', 'args': [{'a': math.sqrt(5)}]}),
    ('kaiming_normal_fan_out_relu', [8, 4, 3, 3], lambda t: nn.init.kaiming_normal_(t, mode='fan_out', nonlinearity='relu'),
     {'fn': 'kaimingNormal_', 'args': [{'mode': 'fanOut', 'nonlinearity': 'relu'}]}),
    ('kaiming_normal_leaky', [10, 30], lambda t: nn.init.kaiming_normal_(t, a=0.2), {'fn': 'kaimingNormal_', 'args': [{'a': 0.2}]}),
    ('orthogonal_tall', [12, 5], lambda t: nn.init.orthogonal_(t), {'fn': 'orthogonal_', 'args': []}),
    ('orthogonal_wide_gain', [4, 3, 2, 2], lambda t: nn.init.orthogonal_(t, gain=2.0), {'fn': 'orthogonal_', 'args': [2.0]}),
    ('trunc_normal', [40, 10], lambda t: nn.init.trunc_normal_(t, mean=0.5, std=1.5, a=-1.0, b=2.5), {'fn': 'truncNormal_', 'args': [0.5, 1.5, -1.0, 2.5]}),
    ('normal', [30], lambda t: nn.init.normal_(t, 1.0, 0.3), {'fn': 'normal_', 'args': [1.0, 0.3]}),
    ('uniform', [30], lambda t: nn.init.uniform_(t, -2.0, 3.0), {'fn': 'uniform_', 'args': [-2.0, 3.0]}),
]

GAINS = [('linear', None), ('conv2d', None), ('conv_transpose2d', None), ('sigmoid', None), ('tanh', None), ('relu', None),
         ('leaky_relu', None), ('leaky_relu', 0.2), ('leaky_relu', math.sqrt(5)), ('selu', None)]


def weight_for(t):
    i = torch.arange(t.numel(), dtype=torch.float64)
    return ((((i * 7 + 3) % 11) - 5.5) / 4).to(t.dtype).reshape(t.shape)


def perturb(m):
    """Random affine weights for norm layers and PReLU, so the tests see them used."""
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, (nn.BatchNorm1d, nn.BatchNorm2d, nn.GroupNorm, nn.LayerNorm, nn.InstanceNorm2d)):
                if getattr(mod, 'weight', None) is not None:
                    mod.weight.copy_(torch.rand(mod.weight.shape, generator=G) + 0.5)
                    mod.bias.copy_(torch.rand(mod.bias.shape, generator=G) - 0.5)
            if isinstance(mod, nn.PReLU):
                mod.weight.copy_(torch.rand(mod.weight.shape, generator=G) * 0.4)


def warm_up(m, x):
    """Two training-mode forwards on other inputs, so running statistics are not the defaults."""
    if not any(True for _ in m.buffers()):
        return
    m.train()
    with torch.no_grad():
        for s in (1.5, 0.7):
            m(torch.randn(x.shape, generator=G) * s + 0.3)


def key_list(sd):
    return [[k, list(v.shape), ST_DTYPE[v.dtype]] for k, v in sd.items()]


def main():
    tensors = {}
    cases = []
    for c in CASES:
        torch.manual_seed(0)
        m = c['build']()
        perturb(m)
        warm_up(m, c['x'])
        state = copy.deepcopy(m.state_dict())
        name = c['name']
        for k, v in state.items():
            tensors[f'{name}/state/{k}'] = v
        tensors[f'{name}/input'] = c['x']
        for mode in c['modes']:
            m.load_state_dict(state)
            m.train(mode == 'train')
            m.zero_grad(set_to_none=True)
            x = c['x'].clone().requires_grad_(c['grad'])
            out = m(x)
            tensors[f'{name}/{mode}/out'] = out.detach().clone()
            if c['grad']:
                (out * weight_for(out)).sum().backward()
                tensors[f'{name}/{mode}/grad/input'] = x.grad.clone()
                for k, p in m.named_parameters():
                    tensors[f'{name}/{mode}/grad/{k}'] = p.grad.clone()
            if mode == 'train':
                for k, b in m.named_buffers():
                    tensors[f'{name}/train/after/{k}'] = b.detach().clone()
        if name == 'composite':
            write_safetensors(OUT_COMPOSITE, state)
        cases.append({
            'name': name, 'ctor': c['ctor'], 'args': c['args'], 'modes': list(c['modes']), 'grad': c['grad'],
            'keys': key_list(state),
            'params': [k for k, _ in m.named_parameters()],
            'buffers': [k for k, _ in m.named_buffers()],
            'numParameters': sum(p.numel() for p in m.parameters()),
        })

    seed_init = []
    for i, (name, ctor, args, build) in enumerate(SEED_INIT):
        seed = 100 + i
        torch.manual_seed(seed)
        m = build()
        for k, v in m.state_dict().items():
            tensors[f'seedinit/{name}/{k}'] = v
        seed_init.append({'name': name, 'seed': seed, 'ctor': ctor, 'args': args, 'keys': key_list(m.state_dict())})

    inits = []
    for i, (name, shape, fn, ts) in enumerate(INITS):
        seed = 200 + i
        torch.manual_seed(seed)
        t = torch.empty(shape)
        fn(t)
        tensors[f'init/{name}'] = t
        inits.append({'name': name, 'seed': seed, 'shape': shape, **ts})

    gains = [[n, p, nn.init.calculate_gain(n, p)] for n, p in GAINS]

    write_safetensors(OUT_ST, tensors)
    doc = {
        'generator': 'scripts/make_layer_fixtures.py',
        'torch': torch.__version__,
        'weight': '((7*i + 3) % 11 - 5.5) / 4',
        'cases': cases,
        'seedInit': seed_init,
        'init': inits,
        'gains': gains,
    }
    with open(OUT_JSON, 'w') as f:
        json.dump(doc, f, indent=1)
        f.write('\n')
    print(f'{len(cases)} cases, {len(seed_init)} seeded layers, {len(inits)} init cases, {len(tensors)} tensors '
          f'({os.path.getsize(OUT_ST)} bytes) -> {OUT_JSON}, {OUT_ST}, {OUT_COMPOSITE}')


def verify_tunet_file(path):
    """`make_layer_fixtures.py --verify FILE`: loads a composite state dict written by tunet into
    PyTorch's model (strict) and prints its eval output on the fixture input."""
    sd = read_safetensors(path)
    m = composite()
    m.load_state_dict(sd, strict=True)
    m.eval()
    torch.manual_seed(0)
    x = torch.linspace(-1, 1, 2 * 3 * 16 * 16).reshape(2, 3, 16, 16)
    with torch.no_grad():
        print(json.dumps(m(x).flatten().tolist()))


if __name__ == '__main__':
    if len(sys.argv) == 3 and sys.argv[1] == '--verify':
        verify_tunet_file(sys.argv[2])
    else:
        main()
