#!/usr/bin/env python3
"""Writes test/fixtures/ops.json: every op of tunet's engine run in PyTorch on fixed inputs.

Run from the repository root with the system Python that has torch:

    /usr/bin/python3 scripts/make_fixtures.py

Each case names an op (a key of OPS below; test/ops.test.ts has a table with the same keys that
calls tunet), its inputs, its extra args, the expected outputs and, for differentiable cases, the
gradient of

    L = sum_k sum(output_k * weight_k)

with respect to every floating-point input that requires grad. weight_k is the fixed, non-uniform
tensor with elements ((7*i + 3 + 5*k) % 11 - 5.5) / 4 (i the flat index of the element, k the
output number); its values are exact in float32 and float64, so the test rebuilds it with no error.

Tensors are stored as base64 of their little-endian bytes (float32, float64, int64, int32, uint8,
bool as one byte), so values round-trip exactly. Inputs come from a seeded generator; they are
stored anyway, so the test never regenerates them.
"""
import base64
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
torch.manual_seed(0)

DTYPES = {
    torch.float32: 'float32',
    torch.float64: 'float64',
    torch.int64: 'int64',
    torch.int32: 'int32',
    torch.uint8: 'uint8',
    torch.bool: 'bool',
}
BY_NAME = {v: k for k, v in DTYPES.items()}

G = torch.Generator().manual_seed(20240601)
F32 = torch.float32
F64 = torch.float64


def dt(name):
    return None if name is None else BY_NAME[name]


def num(v):
    """Args may hold 'inf', '-inf' or 'nan' where JSON has no number for them."""
    if v == 'inf':
        return math.inf
    if v == '-inf':
        return -math.inf
    if v == 'nan':
        return math.nan
    return v


# ---------------------------------------------------------------- inputs

def R(*shape, scale=1.0, dtype=F32):
    """Standard normal samples times scale."""
    return (torch.randn(shape, generator=G, dtype=F64) * scale).to(dtype)


def U(lo, hi, *shape, dtype=F32):
    return (torch.rand(shape, generator=G, dtype=F64) * (hi - lo) + lo).to(dtype)


def AWAY(*shape, lo=0.3, hi=2.0, dtype=F32):
    """Random sign times a magnitude in [lo, hi): no values near zero."""
    mag = torch.rand(shape, generator=G, dtype=F64) * (hi - lo) + lo
    sign = torch.where(torch.rand(shape, generator=G) < 0.5, -1.0, 1.0).to(F64)
    return (mag * sign).to(dtype)


def I(lo, hi, *shape, dtype=torch.int64):
    return torch.randint(lo, hi, shape, generator=G).to(dtype)


def B(*shape, p=0.5):
    return torch.rand(shape, generator=G) < p


def PERM(n):
    return torch.randperm(n, generator=G)


def HALVES(*shape, lo=-3, hi=3, dtype=F32):
    """Multiples of 0.5 (for comparisons with ties)."""
    return (torch.randint(lo * 2, hi * 2 + 1, shape, generator=G).to(F64) / 2).to(dtype)


def weight_for(t, k):
    i = torch.arange(t.numel(), dtype=F64)
    return ((((i * 7 + 3 + 5 * k) % 11) - 5.5) / 4).to(t.dtype).reshape(t.shape)


# ---------------------------------------------------------------- ops (mirrored in test/ops.test.ts)

def opt(x, a, key):
    """The input named by index a[key], or None."""
    return x[a[key]] if key in a and a[key] is not None else None


def index_tuple(x, pattern):
    return tuple(slice(None) if p is None else x[p] for p in pattern)


def slice_tuple(t, dim, start, end, step):
    idx = [slice(None)] * t.dim()
    idx[dim] = slice(start, end, step)
    return tuple(idx)


PY_BINARY = {
    'add': 'add', 'sub': 'sub', 'rsub': 'rsub', 'mul': 'mul', 'div': 'div', 'pow': 'pow',
    'remainder': 'remainder', 'fmod': 'fmod', 'atan2': 'atan2', 'maximum': 'maximum', 'minimum': 'minimum',
    'eq': 'eq', 'ne': 'ne', 'lt': 'lt', 'le': 'le', 'gt': 'gt', 'ge': 'ge',
    'logicalAnd': 'logical_and', 'logicalOr': 'logical_or', 'logicalXor': 'logical_xor',
}
PY_UNARY = {'logicalNot': 'logical_not'}


def binary(x, a):
    name = a['fn']
    other = num(a['scalar']) if 'scalar' in a else x[1]
    kw = {}
    if 'alpha' in a:
        kw['alpha'] = a['alpha']
    if 'mode' in a:
        kw['rounding_mode'] = a['mode']
    if name == 'rsub':
        return torch.rsub(x[0], other, **kw)
    if name in ('atan2', 'maximum', 'minimum', 'logicalAnd', 'logicalOr', 'logicalXor') and not torch.is_tensor(other):
        other = torch.tensor(other, dtype=x[0].dtype)
    return getattr(x[0], PY_BINARY[name])(other, **kw)


def inplace_binary(x, a):
    name = a['fn']
    other = num(a['scalar']) if 'scalar' in a else x[1]
    kw = {}
    if 'alpha' in a:
        kw['alpha'] = a['alpha']
    if 'mode' in a:
        kw['rounding_mode'] = a['mode']
    getattr(x[0], name + '_')(other, **kw)
    return x[0]


def clamp(x, a):
    lo = x[a['minT']] if 'minT' in a else a.get('min')
    hi = x[a['maxT']] if 'maxT' in a else a.get('max')
    if torch.is_tensor(lo) or torch.is_tensor(hi):
        if lo is not None and not torch.is_tensor(lo):
            lo = torch.tensor(lo, dtype=x[0].dtype)
        if hi is not None and not torch.is_tensor(hi):
            hi = torch.tensor(hi, dtype=x[0].dtype)
    return x[0].clamp(lo, hi)


def where(x, a):
    cond = x[0]
    A = x[a['a']] if 'a' in a else a['aScalar']
    Bv = x[a['b']] if 'b' in a else a['bScalar']
    if torch.is_tensor(A):
        return torch.where(cond, A, Bv)
    if torch.is_tensor(Bv):
        return torch.where(cond, torch.tensor(A, dtype=Bv.dtype), Bv)
    return torch.where(cond, torch.tensor(A), torch.tensor(Bv))


def sum_(x, a):
    if 'dim' not in a:
        return x[0].sum(dtype=dt(a.get('dtype')))
    return x[0].sum(a['dim'], keepdim=a.get('keepdim', False), dtype=dt(a.get('dtype')))


def mean_(x, a):
    if 'dim' not in a:
        return x[0].mean()
    return x[0].mean(a['dim'], keepdim=a.get('keepdim', False))


def var_std(fn):
    def f(x, a):
        kw = {'keepdim': a.get('keepdim', False)}
        if 'correction' in a:
            kw['correction'] = a['correction']
        if 'unbiased' in a:
            kw['unbiased'] = a['unbiased']
        return getattr(x[0], fn)(a.get('dim'), **kw)
    return f


def minmax(fn):
    def f(x, a):
        if 'dim' not in a:
            return getattr(x[0], fn)()
        r = getattr(x[0], fn)(a['dim'], keepdim=a.get('keepdim', False))
        return (r.values, r.indices)
    return f


def conv(fn):
    def f(x, a):
        kw = {k2: a[k1] for k1, k2 in (('stride', 'stride'), ('padding', 'padding'), ('dilation', 'dilation'), ('groups', 'groups')) if k1 in a}
        return fn(x[0], x[1], x[2] if len(x) > 2 else None, **kw)
    return f


def conv_t2d(x, a):
    return F.conv_transpose2d(x[0], x[1], x[2] if len(x) > 2 else None, stride=a.get('stride', 1), padding=a.get('padding', 0),
                              output_padding=a.get('outputPadding', 0), groups=a.get('groups', 1), dilation=a.get('dilation', 1))


def max_pool(fn):
    def f(x, a):
        r = fn(x[0], a['k'], stride=a.get('stride'), padding=a.get('padding', 0), dilation=a.get('dilation', 1),
               ceil_mode=a.get('ceilMode', False), return_indices=a.get('returnIndices', False))
        return tuple(r) if isinstance(r, tuple) else r
    return f


def avg_pool2d(x, a):
    return F.avg_pool2d(x[0], a['k'], stride=a.get('stride'), padding=a.get('padding', 0), ceil_mode=a.get('ceilMode', False),
                        count_include_pad=a.get('countIncludePad', True), divisor_override=a.get('divisorOverride'))


def avg_pool1d(x, a):
    return F.avg_pool1d(x[0], a['k'], stride=a.get('stride'), padding=a.get('padding', 0), ceil_mode=a.get('ceilMode', False),
                        count_include_pad=a.get('countIncludePad', True))


def interpolate(x, a):
    kw = {'mode': a.get('mode', 'nearest')}
    if 'size' in a:
        kw['size'] = a['size']
    if 'scaleFactor' in a:
        kw['scale_factor'] = a['scaleFactor']
    if 'alignCorners' in a:
        kw['align_corners'] = a['alignCorners']
    return F.interpolate(x[0], **kw)


def batch_norm(x, a):
    rm, rv, w, b = opt(x, a, 'rm'), opt(x, a, 'rv'), opt(x, a, 'w'), opt(x, a, 'b')
    y = F.batch_norm(x[0], rm, rv, w, b, training=a.get('training', False), momentum=a.get('momentum', 0.1), eps=a.get('eps', 1e-5))
    return (y, rm, rv) if rm is not None else y


ACT = {
    'sigmoid': lambda x, a: torch.sigmoid(x),
    'tanh': lambda x, a: torch.tanh(x),
    'relu': lambda x, a: F.relu(x),
    'selu': lambda x, a: F.selu(x),
    'silu': lambda x, a: F.silu(x),
    'mish': lambda x, a: F.mish(x),
    'hardswish': lambda x, a: F.hardswish(x),
    'hardsigmoid': lambda x, a: F.hardsigmoid(x),
    'logsigmoid': lambda x, a: F.logsigmoid(x),
    'identity': lambda x, a: x,
    # MATLAB functions with no torch function: their formulas.
    'hardlim': lambda x, a: (x >= 0).to(x.dtype),
    'hardlims': lambda x, a: (x >= 0).to(x.dtype) * 2 - 1,
    'radbas': lambda x, a: torch.exp(-x * x),
    'satlin': lambda x, a: torch.clamp(x, 0, 1),
    'satlins': lambda x, a: torch.clamp(x, -1, 1),
    'hardtanh': lambda x, a: F.hardtanh(x, a.get('min', -1.0), a.get('max', 1.0)),
    'relu6': lambda x, a: F.relu6(x),
    'leakyRelu': lambda x, a: F.leaky_relu(x, a['slope']) if 'slope' in a else F.leaky_relu(x),
    'elu': lambda x, a: F.elu(x, a.get('alpha', 1.0)),
    'celu': lambda x, a: F.celu(x, a.get('alpha', 1.0)),
    'gelu': lambda x, a: F.gelu(x, approximate=a.get('approximate', 'none')),
    'softplus': lambda x, a: F.softplus(x, a.get('beta', 1), a.get('threshold', 20)),
    'softsign': lambda x, a: F.softsign(x),
    # aliases
    'logsig': lambda x, a: torch.sigmoid(x),
    'tansig': lambda x, a: torch.tanh(x),
    'purelin': lambda x, a: x,
    'poslin': lambda x, a: F.relu(x),
    'swish': lambda x, a: F.silu(x),
    'hSwish': lambda x, a: F.hardswish(x),
    'hSigmoid': lambda x, a: F.hardsigmoid(x),
}


def loss(x, a):
    fn = a['fn']
    red = a.get('reduction', 'mean')
    w = opt(x, a, 'w')
    if fn == 'mseLoss':
        return F.mse_loss(x[0], x[1], reduction=red)
    if fn == 'l1Loss':
        return F.l1_loss(x[0], x[1], reduction=red)
    if fn == 'smoothL1Loss':
        return F.smooth_l1_loss(x[0], x[1], reduction=red, beta=a.get('beta', 1.0))
    if fn == 'huberLoss':
        return F.huber_loss(x[0], x[1], reduction=red, delta=a.get('delta', 1.0))
    if fn == 'binaryCrossEntropy':
        return F.binary_cross_entropy(x[0], x[1], weight=w, reduction=red)
    if fn == 'binaryCrossEntropyWithLogits':
        return F.binary_cross_entropy_with_logits(x[0], x[1], weight=w, pos_weight=opt(x, a, 'pw'), reduction=red)
    if fn == 'crossEntropy':
        return F.cross_entropy(x[0], x[1], weight=w, ignore_index=a.get('ignoreIndex', -100), reduction=red,
                               label_smoothing=a.get('labelSmoothing', 0.0))
    if fn == 'nllLoss':
        return F.nll_loss(x[0], x[1], weight=w, ignore_index=a.get('ignoreIndex', -100), reduction=red)
    raise KeyError(fn)


def index_put(x, a):
    out = x[0].clone()
    out.index_put_(index_tuple(x, a['pattern']), x[a['values']], accumulate=a.get('accumulate', False))
    return out


OPS = {
    # creation
    'arange': lambda x, a: torch.arange(*a['args'], dtype=dt(a.get('dtype'))),
    'linspace': lambda x, a: torch.linspace(a['start'], a['end'], a['steps'], dtype=dt(a.get('dtype'))),
    'eye': lambda x, a: torch.eye(*a['args'], dtype=dt(a.get('dtype'))),
    'full': lambda x, a: torch.full(a['shape'], a['value'], dtype=dt(a.get('dtype'))),
    'zeros': lambda x, a: torch.zeros(a['shape'], dtype=dt(a.get('dtype'))),
    'ones': lambda x, a: torch.ones(a['shape'], dtype=dt(a.get('dtype'))),
    'zerosLike': lambda x, a: torch.zeros_like(x[0], dtype=dt(a.get('dtype'))),
    'onesLike': lambda x, a: torch.ones_like(x[0], dtype=dt(a.get('dtype'))),
    'fullLike': lambda x, a: torch.full_like(x[0], a['value'], dtype=dt(a.get('dtype'))),
    'tensor': lambda x, a: torch.tensor(a['data'], dtype=dt(a.get('dtype', 'float32'))),
    'to': lambda x, a: x[0].to(dt(a['dtype'])),
    'clone': lambda x, a: x[0].clone(),
    'contiguous': lambda x, a: x[0].transpose(0, 1).contiguous(),
    # views and indexing
    'reshape': lambda x, a: x[0].reshape(a['shape']),
    'viewAs': lambda x, a: x[0].view_as(x[1]),
    'reshapeAs': lambda x, a: x[0].reshape_as(x[1]),
    'expandAs': lambda x, a: x[0].expand_as(x[1]),
    'view': lambda x, a: x[0].view(a['shape']),
    'permute': lambda x, a: x[0].permute(a['dims']),
    'transpose': lambda x, a: x[0].transpose(a['d0'], a['d1']),
    't': lambda x, a: x[0].t(),
    'mT': lambda x, a: x[0].mT,
    'squeeze': lambda x, a: x[0].squeeze(a['dim']) if 'dim' in a else x[0].squeeze(),
    'unsqueeze': lambda x, a: x[0].unsqueeze(a['dim']),
    'flatten': lambda x, a: x[0].flatten(a.get('start', 0), a.get('end', -1)),
    'unflatten': lambda x, a: x[0].unflatten(a['dim'], a['sizes']),
    'expand': lambda x, a: x[0].expand(a['shape']),
    'repeat': lambda x, a: x[0].repeat(a['repeats']),
    'narrow': lambda x, a: x[0].narrow(a['dim'], a['start'], a['length']),
    'slice': lambda x, a: x[0][slice_tuple(x[0], a['dim'], a.get('start'), a.get('end'), a.get('step', 1))],
    'select': lambda x, a: x[0].select(a['dim'], a['index']),
    'indexSelect': lambda x, a: x[0].index_select(a['dim'], x[1]),
    'gather': lambda x, a: x[0].gather(a['dim'], x[1]),
    'scatter': lambda x, a: x[0].scatter(a['dim'], x[1], x[2]) if len(x) > 2 else x[0].scatter(a['dim'], x[1], a['value']),
    'scatterAdd': lambda x, a: x[0].scatter_add(a['dim'], x[1], x[2]),
    'index': lambda x, a: x[0][index_tuple(x, a['pattern'])],
    'indexPut': index_put,
    'maskedFill': lambda x, a: x[0].masked_fill(x[1], x[2] if len(x) > 2 else a['value']),
    'maskedSelect': lambda x, a: x[0].masked_select(x[1]),
    'where': where,
    'cat': lambda x, a: torch.cat(x, a.get('dim', 0)),
    'stack': lambda x, a: torch.stack(x, a.get('dim', 0)),
    'split': lambda x, a: tuple(x[0].split(a['s'], a.get('dim', 0))),
    'chunk': lambda x, a: tuple(x[0].chunk(a['chunks'], a.get('dim', 0))),
    'unbind': lambda x, a: tuple(x[0].unbind(a.get('dim', 0))),
    'flip': lambda x, a: x[0].flip(a['dims']),
    'roll': lambda x, a: x[0].roll(a['shifts'], a['dims']) if 'dims' in a else x[0].roll(a['shifts']),
    'tril': lambda x, a: x[0].tril(a.get('diagonal', 0)),
    'triu': lambda x, a: x[0].triu(a.get('diagonal', 0)),
    'nonzero': lambda x, a: x[0].nonzero(),
    'pad': lambda x, a: F.pad(x[0], a['pad'], a.get('mode', 'constant'), a.get('value', 0)) if a.get('mode', 'constant') == 'constant'
    else F.pad(x[0], a['pad'], a['mode']),
    # pointwise
    'unary': lambda x, a: getattr(x[0], PY_UNARY.get(a['fn'], a['fn']))(),
    'unary_': lambda x, a: getattr(x[0], a['fn'] + '_')(),
    'binary': binary,
    'clamp': clamp,
    'clampMin': lambda x, a: x[0].clamp_min(x[1] if 'minT' in a else a['min']),
    'clampMax': lambda x, a: x[0].clamp_max(x[1] if 'maxT' in a else a['max']),
    'allclose': lambda x, a: torch.tensor(x[0].allclose(x[1], a.get('rtol', 1e-5), a.get('atol', 1e-8), a.get('equalNan', False))),
    'equal': lambda x, a: torch.tensor(x[0].equal(x[1])),
    'lerp': lambda x, a: x[0].lerp(x[1], x[2] if len(x) > 2 else a['weight']),
    'addcmul': lambda x, a: x[0].addcmul(x[1], x[2], value=a.get('value', 1)),
    'addcdiv': lambda x, a: x[0].addcdiv(x[1], x[2], value=a.get('value', 1)),
    # in-place (values only)
    'inplace': inplace_binary,
    'addcmul_': lambda x, a: x[0].addcmul_(x[1], x[2], value=a.get('value', 1)),
    'addcdiv_': lambda x, a: x[0].addcdiv_(x[1], x[2], value=a.get('value', 1)),
    'copy_': lambda x, a: x[0].copy_(x[1]),
    'zero_': lambda x, a: x[0].zero_(),
    'fill_': lambda x, a: x[0].fill_(a['value']),
    'clamp_': lambda x, a: x[0].clamp_(a.get('min'), a.get('max')),
    'lerp_': lambda x, a: x[0].lerp_(x[1], x[2] if len(x) > 2 else a['weight']),
    'maskedFill_': lambda x, a: x[0].masked_fill_(x[1], a['value']),
    # reductions
    'sum': sum_,
    'mean': mean_,
    'prod': lambda x, a: x[0].prod() if 'dim' not in a else x[0].prod(a['dim'], keepdim=a.get('keepdim', False)),
    'var': var_std('var'),
    'std': var_std('std'),
    'max': minmax('max'),
    'min': minmax('min'),
    'amax': lambda x, a: x[0].amax(a.get('dim', []), keepdim=a.get('keepdim', False)),
    'amin': lambda x, a: x[0].amin(a.get('dim', []), keepdim=a.get('keepdim', False)),
    'argmax': lambda x, a: x[0].argmax(a.get('dim'), keepdim=a.get('keepdim', False)),
    'argmin': lambda x, a: x[0].argmin(a.get('dim'), keepdim=a.get('keepdim', False)),
    'norm': lambda x, a: torch.linalg.vector_norm(x[0], num(a.get('p', 2)), a.get('dim'), keepdim=a.get('keepdim', False)),
    'all': lambda x, a: x[0].all() if 'dim' not in a else x[0].all(a['dim'], keepdim=a.get('keepdim', False)),
    'any': lambda x, a: x[0].any() if 'dim' not in a else x[0].any(a['dim'], keepdim=a.get('keepdim', False)),
    'logsumexp': lambda x, a: x[0].logsumexp(a['dim'], keepdim=a.get('keepdim', False)),
    'cumsum': lambda x, a: x[0].cumsum(a['dim']),
    'cumprod': lambda x, a: x[0].cumprod(a['dim']),
    'sort': lambda x, a: tuple(x[0].sort(a.get('dim', -1), descending=a.get('descending', False))),
    'argsort': lambda x, a: x[0].argsort(a.get('dim', -1), descending=a.get('descending', False)),
    'topk': lambda x, a: tuple(x[0].topk(a['k'], a.get('dim', -1), largest=a.get('largest', True))),
    'countNonzero': lambda x, a: x[0].count_nonzero(a.get('dim')),
    # linear algebra
    'matmul': lambda x, a: x[0].matmul(x[1]),
    'mm': lambda x, a: x[0].mm(x[1]),
    'bmm': lambda x, a: x[0].bmm(x[1]),
    'mv': lambda x, a: x[0].mv(x[1]),
    'dot': lambda x, a: x[0].dot(x[1]),
    'outer': lambda x, a: x[0].outer(x[1]),
    'linear': lambda x, a: F.linear(x[0], x[1], x[2] if len(x) > 2 else None),
    # convolution, pooling, resampling
    'conv1d': conv(F.conv1d),
    'conv2d': conv(F.conv2d),
    'convTranspose2d': conv_t2d,
    'maxPool2d': max_pool(F.max_pool2d),
    'maxPool1d': max_pool(F.max_pool1d),
    'avgPool2d': avg_pool2d,
    'avgPool1d': avg_pool1d,
    'adaptiveAvgPool2d': lambda x, a: F.adaptive_avg_pool2d(x[0], a['size']),
    'adaptiveMaxPool2d': lambda x, a: F.adaptive_max_pool2d(x[0], a['size']),
    'interpolate': interpolate,
    'pixelShuffle': lambda x, a: F.pixel_shuffle(x[0], a['r']),
    'pixelUnshuffle': lambda x, a: F.pixel_unshuffle(x[0], a['r']),
    # normalisation, dropout, softmax
    'batchNorm': batch_norm,
    'groupNorm': lambda x, a: F.group_norm(x[0], a['groups'], opt(x, a, 'w'), opt(x, a, 'b'), eps=a.get('eps', 1e-5)),
    'layerNorm': lambda x, a: F.layer_norm(x[0], a['shape'], opt(x, a, 'w'), opt(x, a, 'b'), eps=a.get('eps', 1e-5)),
    'instanceNorm': lambda x, a: F.instance_norm(x[0], weight=opt(x, a, 'w'), bias=opt(x, a, 'b'), eps=a.get('eps', 1e-5)),
    'dropout': lambda x, a: F.dropout(x[0], a['p'], a['training']),
    'dropout2d': lambda x, a: F.dropout2d(x[0], a['p'], a['training']),
    'alphaDropout': lambda x, a: F.alpha_dropout(x[0], a['p'], a['training']),
    'softmax': lambda x, a: F.softmax(x[0], a['dim'], dtype=dt(a.get('dtype'))),
    'logSoftmax': lambda x, a: F.log_softmax(x[0], a['dim'], dtype=dt(a.get('dtype'))),
    'oneHot': lambda x, a: F.one_hot(x[0], a.get('numClasses', -1)),
    # activations and losses
    'act': lambda x, a: ACT[a['fn']](x[0], a),
    'prelu': lambda x, a: F.prelu(x[0], x[1]),
    'reluInplace': lambda x, a: F.relu_(x[0]),
    'loss': loss,
}

# ---------------------------------------------------------------- cases

CASES = []


def case(name, op, inputs=(), args=None, grad=True, nograd=(), tol=None):
    assert op in OPS, op
    assert all(c['name'] != name for c in CASES), f'duplicate case name {name}'
    CASES.append({'name': name, 'op': op, 'inputs': list(inputs), 'args': args or {}, 'grad': grad, 'nograd': set(nograd), 'tol': tol})


# -- creation
case('arange_end', 'arange', args={'args': [5]})
case('arange_start_end', 'arange', args={'args': [-3, 4]})
case('arange_step_int_negative', 'arange', args={'args': [10, 0, -3]})
case('arange_step_float', 'arange', args={'args': [0, 1, 0.1]})
case('arange_float_bounds', 'arange', args={'args': [0.5, 3.7]})
case('arange_dtype_f64', 'arange', args={'args': [1, 2, 0.25], 'dtype': 'float64'})
case('arange_dtype_f32_int_args', 'arange', args={'args': [6], 'dtype': 'float32'})
case('arange_dtype_int32', 'arange', args={'args': [2, 12, 3], 'dtype': 'int32'})
case('linspace_basic', 'linspace', args={'start': -1, 'end': 1, 'steps': 7})
case('linspace_one_step', 'linspace', args={'start': 2, 'end': 5, 'steps': 1})
case('linspace_f64', 'linspace', args={'start': 0, 'end': 1, 'steps': 11, 'dtype': 'float64'})
case('linspace_descending', 'linspace', args={'start': 3, 'end': -2.5, 'steps': 5})
case('eye_square', 'eye', args={'args': [3]})
case('eye_rect', 'eye', args={'args': [2, 4]})
case('eye_int64', 'eye', args={'args': [3, 2], 'dtype': 'int64'})
case('full_float', 'full', args={'shape': [2, 3], 'value': 1.5})
case('full_int_value', 'full', args={'shape': [4], 'value': 7})
case('full_bool', 'full', args={'shape': [2, 2], 'value': True})
case('full_dtype_f64', 'full', args={'shape': [3], 'value': -2.25, 'dtype': 'float64'})
case('full_0d', 'full', args={'shape': [], 'value': 3.5})
case('zeros', 'zeros', args={'shape': [2, 3, 1]})
case('zeros_int64', 'zeros', args={'shape': [3], 'dtype': 'int64'})
case('zeros_empty_dim', 'zeros', args={'shape': [2, 0]})
case('ones', 'ones', args={'shape': [4, 2]})
case('ones_f64', 'ones', args={'shape': [3], 'dtype': 'float64'})
case('ones_bool', 'ones', args={'shape': [2], 'dtype': 'bool'})
case('zerosLike', 'zerosLike', [R(2, 3)], grad=False)
case('onesLike_int', 'onesLike', [I(0, 5, 3)], grad=False)
case('fullLike_dtype', 'fullLike', [R(2, 2)], {'value': 2.5, 'dtype': 'float64'}, grad=False)
case('tensor_nested_float', 'tensor', args={'data': [[1.5, -2], [0.25, 3e-3]]})
case('tensor_nested_int64', 'tensor', args={'data': [[1, -2, 3]], 'dtype': 'int64'})
case('tensor_nested_f64', 'tensor', args={'data': [0.1, 0.2, 1e-300], 'dtype': 'float64'})
case('tensor_nested_bool', 'tensor', args={'data': [[True, False], [False, True]], 'dtype': 'bool'})
case('tensor_scalar', 'tensor', args={'data': 2.5})
case('to_f64', 'to', [R(2, 3)], {'dtype': 'float64'})
case('to_int64_truncates', 'to', [R(2, 3, scale=3)], {'dtype': 'int64'}, grad=False)
case('to_bool', 'to', [HALVES(6)], {'dtype': 'bool'}, grad=False)
case('to_f32_from_int', 'to', [I(-5, 5, 6)], {'dtype': 'float32'}, grad=False)
case('clone', 'clone', [R(3, 2)])
case('contiguous_after_transpose', 'contiguous', [R(3, 4)])

# -- views and indexing
case('reshape', 'reshape', [R(2, 3, 4)], {'shape': [4, -1]})
case('reshape_0d', 'reshape', [R(1, 1)], {'shape': []})
case('viewAs', 'viewAs', [R(2, 6), R(3, 4)], nograd=[1])
case('reshapeAs', 'reshapeAs', [R(2, 3, 4).transpose(0, 2), R(6, 4)], nograd=[1])
case('expandAs', 'expandAs', [R(3, 1), R(2, 3, 4)], nograd=[1])
case('view', 'view', [R(2, 6)], {'shape': [3, 2, 2]})
case('permute', 'permute', [R(2, 3, 4)], {'dims': [2, 0, 1]})
case('permute_negative', 'permute', [R(2, 3, 4)], {'dims': [-1, -3, -2]})
case('transpose', 'transpose', [R(2, 3, 4)], {'d0': 0, 'd1': 2})
case('transpose_negative', 'transpose', [R(2, 3, 4)], {'d0': -1, 'd1': -2})
case('t', 't', [R(3, 5)])
case('mT', 'mT', [R(2, 3, 4)])
case('squeeze_all', 'squeeze', [R(1, 3, 1, 2)])
case('squeeze_dim', 'squeeze', [R(1, 3, 1, 2)], {'dim': 2})
case('squeeze_dim_noop', 'squeeze', [R(2, 3)], {'dim': 0})
case('unsqueeze', 'unsqueeze', [R(2, 3)], {'dim': 1})
case('unsqueeze_end', 'unsqueeze', [R(2, 3)], {'dim': -1})
case('flatten_all', 'flatten', [R(2, 3, 4)])
case('flatten_range', 'flatten', [R(2, 3, 4, 2)], {'start': 1, 'end': 2})
case('unflatten', 'unflatten', [R(2, 12)], {'dim': 1, 'sizes': [3, 4]})
case('expand', 'expand', [R(3, 1)], {'shape': [2, 3, 4]})
case('expand_minus1', 'expand', [R(1, 4)], {'shape': [3, -1]})
case('repeat', 'repeat', [R(2, 3)], {'repeats': [2, 1, 3]})
case('narrow', 'narrow', [R(4, 5)], {'dim': 1, 'start': 1, 'length': 3})
case('slice_step', 'slice', [R(4, 7)], {'dim': 1, 'start': 1, 'end': 6, 'step': 2})
case('slice_negative_start', 'slice', [R(5, 3)], {'dim': 0, 'start': -3})
case('slice_end_only', 'slice', [R(5, 3)], {'dim': -1, 'end': 2})
case('slice_end_beyond', 'slice', [R(5, 3)], {'dim': 0, 'start': 2, 'end': 100})
case('select', 'select', [R(3, 4, 2)], {'dim': 1, 'index': 2})
case('select_negative_index', 'select', [R(3, 4)], {'dim': 0, 'index': -1})
case('indexSelect', 'indexSelect', [R(4, 3), torch.tensor([3, 0, 3, 1])], {'dim': 0})
case('indexSelect_dim1', 'indexSelect', [R(2, 5), torch.tensor([4, 1])], {'dim': 1})
case('gather', 'gather', [R(3, 4), I(0, 4, 3, 2)], {'dim': 1})
case('gather_dim0', 'gather', [R(3, 4), I(0, 3, 2, 4)], {'dim': 0})
case('scatter_src', 'scatter', [R(3, 5), torch.stack([PERM(5)[:3] for _ in range(2)]), R(2, 3)], {'dim': 1})
case('scatter_value', 'scatter', [R(3, 4), torch.tensor([[0], [2], [3]])], {'dim': 1, 'value': -1.5})
case('scatterAdd', 'scatterAdd', [R(3, 4), I(0, 3, 5, 4), R(5, 4)], {'dim': 0})
case('index_single', 'index', [R(5, 3), torch.tensor([4, 0, 0, 2])], {'pattern': [1]})
case('index_second_dim', 'index', [R(3, 5, 2), torch.tensor([1, 3, 3])], {'pattern': [None, 1]})
case('index_two_tensors', 'index', [R(4, 5), torch.tensor([0, 3, 2]), torch.tensor([4, 4, 1])], {'pattern': [1, 2]})
case('index_broadcast', 'index', [R(4, 5), torch.tensor([[0], [3]]), torch.tensor([1, 2, 4])], {'pattern': [1, 2]})
case('index_bool_mask', 'index', [R(3, 4), B(3, 4)], {'pattern': [1]})
case('index_bool_rows', 'index', [R(4, 3), torch.tensor([True, False, True, True])], {'pattern': [1]})
case('index_negative', 'index', [R(4, 3), torch.tensor([-1, -4])], {'pattern': [1]})
case('indexPut', 'indexPut', [R(5, 3), torch.tensor([4, 0, 2]), R(3, 3)], {'pattern': [1], 'values': 2})
case('indexPut_accumulate', 'indexPut', [R(5, 3), torch.tensor([1, 1, 3]), R(3, 3)], {'pattern': [1], 'values': 2, 'accumulate': True})
case('indexPut_2d', 'indexPut', [R(3, 4), torch.tensor([0, 2]), torch.tensor([3, 1]), R(2)], {'pattern': [1, 2], 'values': 3})
case('maskedFill_scalar', 'maskedFill', [R(3, 4), B(3, 4)], {'value': -9.5})
case('maskedFill_broadcast_mask', 'maskedFill', [R(3, 4), B(1, 4)], {'value': 2})
case('maskedFill_tensor', 'maskedFill', [R(3, 4), B(3, 4), torch.tensor(0.25)], nograd=[2])
case('maskedSelect', 'maskedSelect', [R(3, 4), B(3, 4)])
case('where_tensors', 'where', [B(3, 4), R(3, 4), R(3, 4)], {'a': 1, 'b': 2})
case('where_broadcast', 'where', [B(3, 1), R(1, 4), R(3, 4)], {'a': 1, 'b': 2})
case('where_scalar_other', 'where', [B(3, 4), R(3, 4)], {'a': 1, 'bScalar': 0.5})
case('where_scalar_self', 'where', [B(3, 4), R(3, 4)], {'aScalar': -2.5, 'b': 1})
case('where_scalars', 'where', [B(2, 3)], {'aScalar': 1.5, 'bScalar': -0.5}, grad=False)
case('cat_dim0', 'cat', [R(2, 3), R(1, 3), R(3, 3)])
case('cat_dim1', 'cat', [R(2, 3), R(2, 1)], {'dim': 1})
case('cat_negative_dim', 'cat', [R(2, 2, 3), R(2, 2, 2)], {'dim': -1})
case('cat_int64', 'cat', [I(0, 9, 2), I(0, 9, 3)])
case('stack_dim0', 'stack', [R(2, 3), R(2, 3), R(2, 3)])
case('stack_last', 'stack', [R(2, 3), R(2, 3)], {'dim': -1})
case('stack_middle', 'stack', [R(2, 3), R(2, 3)], {'dim': 1})
case('split_size', 'split', [R(7, 2)], {'s': 3})
case('split_size_dim1', 'split', [R(2, 5)], {'s': 2, 'dim': 1})
case('split_sections', 'split', [R(6, 2)], {'s': [1, 3, 2]})
case('split_sections_dim1', 'split', [R(2, 5)], {'s': [4, 1], 'dim': -1})
case('chunk_even', 'chunk', [R(6, 2)], {'chunks': 3})
case('chunk_uneven', 'chunk', [R(5, 2)], {'chunks': 3})
case('chunk_dim1', 'chunk', [R(2, 7)], {'chunks': 2, 'dim': 1})
case('unbind', 'unbind', [R(3, 2)])
case('unbind_dim1', 'unbind', [R(2, 3)], {'dim': 1})
case('flip_one', 'flip', [R(3, 4)], {'dims': [0]})
case('flip_two', 'flip', [R(2, 3, 4)], {'dims': [0, 2]})
case('roll_flat', 'roll', [R(3, 4)], {'shifts': [5]})
case('roll_dim', 'roll', [R(3, 4)], {'shifts': [1], 'dims': [1]})
case('roll_two_dims', 'roll', [R(3, 4)], {'shifts': [-1, 2], 'dims': [0, 1]})
case('tril', 'tril', [R(4, 4)])
case('tril_diag', 'tril', [R(3, 5)], {'diagonal': 1})
case('triu_negative_diag', 'triu', [R(4, 3)], {'diagonal': -1})
case('nonzero', 'nonzero', [HALVES(3, 4, lo=-1, hi=1)], grad=False)
# edge cases: negative dims and starts, oversize chunks/splits, mixed advanced indexing, 0-d and empty tensors
case('narrow_negative_start', 'narrow', [R(4, 5)], {'dim': -1, 'start': -3, 'length': 2})
case('flatten_negative', 'flatten', [R(2, 3, 4)], {'start': -2, 'end': -1})
case('roll_negative_dim', 'roll', [R(3, 4)], {'shifts': [-3], 'dims': [-1]})
case('gather_negative_dim', 'gather', [R(3, 4), I(0, 4, 3, 4)], {'dim': -1})
case('index_separated_tensors', 'index', [R(3, 4, 5), torch.tensor([2, 0]), torch.tensor([1, 4])], {'pattern': [1, None, 2]})
case('index_middle_2d_index', 'index', [R(2, 5, 3), torch.tensor([[0, 4], [2, 2]])], {'pattern': [None, 1]})
case('chunk_more_than_size', 'chunk', [R(3, 2)], {'chunks': 5})
case('split_size_larger', 'split', [R(3, 2)], {'s': 10})
case('squeeze_0d_from_1', 'squeeze', [R(1)])
case('sum_0d', 'sum', [R()])
case('sum_empty', 'sum', [torch.zeros(0, 3)], {'dim': 0}, grad=False)
case('sum_dim_empty_list_sums_all', 'sum', [R(2, 3)], {'dim': []})
case('mean_empty_is_nan', 'mean', [torch.zeros(0)], grad=False)
case('cat_empty_part', 'cat', [R(2, 3), torch.zeros(0, 3)], nograd=[1])
case('pad_constant', 'pad', [R(2, 3, 4)], {'pad': [1, 2]})
case('pad_constant_value_2d', 'pad', [R(1, 2, 3, 3)], {'pad': [1, 0, 2, 1], 'value': -1.5})
case('pad_constant_negative', 'pad', [R(2, 5)], {'pad': [-1, 2]})
case('pad_reflect_1d', 'pad', [R(2, 3, 5)], {'pad': [2, 1], 'mode': 'reflect'})
case('pad_reflect_2d', 'pad', [R(1, 2, 4, 4)], {'pad': [1, 2, 3, 1], 'mode': 'reflect'})
case('pad_replicate_1d', 'pad', [R(1, 2, 4)], {'pad': [3, 1], 'mode': 'replicate'})
case('pad_replicate_2d', 'pad', [R(1, 2, 3, 3)], {'pad': [2, 1, 1, 2], 'mode': 'replicate'})
case('pad_circular_1d', 'pad', [R(1, 2, 5)], {'pad': [2, 3], 'mode': 'circular'})
case('pad_circular_2d', 'pad', [R(1, 1, 4, 3)], {'pad': [1, 2, 2, 1], 'mode': 'circular'})

# -- elementwise unary: every name of UNARY in src/torch/ops/pointwise.ts, on a domain where it is defined
UNARY_DOMAIN = {
    'abs': lambda: AWAY(3, 4),
    'neg': lambda: R(3, 4),
    'exp': lambda: R(3, 4),
    'exp2': lambda: R(3, 4),
    'log': lambda: U(0.1, 5, 3, 4),
    'log2': lambda: U(0.1, 5, 3, 4),
    'log10': lambda: U(0.1, 5, 3, 4),
    'log1p': lambda: U(-0.9, 4, 3, 4),
    'expm1': lambda: R(3, 4),
    'sqrt': lambda: U(0.1, 5, 3, 4),
    'rsqrt': lambda: U(0.1, 5, 3, 4),
    'sin': lambda: R(3, 4, scale=2),
    'cos': lambda: R(3, 4, scale=2),
    'tan': lambda: U(-1.3, 1.3, 3, 4),
    'asin': lambda: U(-0.95, 0.95, 3, 4),
    'acos': lambda: U(-0.95, 0.95, 3, 4),
    'atan': lambda: R(3, 4, scale=2),
    'sinh': lambda: R(3, 4),
    'cosh': lambda: R(3, 4),
    'tanh': lambda: R(3, 4),
    'sigmoid': lambda: R(3, 4, scale=2),
    'relu': lambda: AWAY(3, 4),
    'reciprocal': lambda: AWAY(3, 4),
    'sign': lambda: AWAY(3, 4),
    'floor': lambda: AWAY(3, 4, hi=4),
    'ceil': lambda: AWAY(3, 4, hi=4),
    'round': lambda: AWAY(3, 4, hi=4),
    'trunc': lambda: AWAY(3, 4, hi=4),
    'frac': lambda: AWAY(3, 4, hi=4),
    'square': lambda: R(3, 4),
    'erf': lambda: R(3, 4),
    'erfc': lambda: R(3, 4),
}
for fn, make in UNARY_DOMAIN.items():
    case(f'unary_{fn}', 'unary', [make()], {'fn': fn})
for fn in ['exp', 'log', 'sqrt', 'sigmoid', 'tanh', 'abs', 'sin']:
    case(f'unary_{fn}_f64', 'unary', [UNARY_DOMAIN[fn]().double()], {'fn': fn})
for fn, make in UNARY_DOMAIN.items():
    case(f'unary_inplace_{fn}', 'unary_', [make()], {'fn': fn}, grad=False)
case('unary_round_half_even', 'unary', [torch.tensor([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 0.49])], {'fn': 'round'})
case('unary_sign_zero', 'unary', [torch.tensor([-2.0, 0.0, 3.0])], {'fn': 'sign'})
case('unary_abs_int64', 'unary', [I(-5, 5, 6)], {'fn': 'abs'})
case('unary_neg_int64', 'unary', [I(-5, 5, 6)], {'fn': 'neg'})
case('unary_sqrt_int64_gives_float', 'unary', [I(0, 10, 6)], {'fn': 'sqrt'})
SPECIAL = torch.tensor([1.0, -2.0, math.nan, math.inf, -math.inf, 0.0])
case('isnan', 'unary', [SPECIAL.clone()], {'fn': 'isnan'}, grad=False)
case('isinf', 'unary', [SPECIAL.clone()], {'fn': 'isinf'}, grad=False)
case('isfinite', 'unary', [SPECIAL.clone()], {'fn': 'isfinite'}, grad=False)
case('logicalNot_bool', 'unary', [B(2, 3)], {'fn': 'logicalNot'}, grad=False)
case('logicalNot_float', 'unary', [HALVES(2, 3, lo=-1, hi=1)], {'fn': 'logicalNot'}, grad=False)
case('log_negative_is_nan', 'unary', [torch.tensor([-1.0, 0.0, 1.0])], {'fn': 'log'}, grad=False)

# -- elementwise binary
bb = lambda fn, *xs, grad=True, **a: (xs, dict(fn=fn, **a), grad)
BIN = {
    'add_tensor': bb('add', R(3, 4), R(3, 4)),
    'add_broadcast': bb('add', R(3, 1), R(1, 4)),
    'add_broadcast_rank': bb('add', R(2, 3, 4), R(4)),
    'add_scalar': bb('add', R(3, 4), scalar=2.5),
    'add_alpha': bb('add', R(3, 4), R(3, 4), alpha=-0.5),
    'add_scalar_alpha': bb('add', R(3, 4), scalar=2, alpha=3),
    'add_0d_tensor': bb('add', R(3, 4), R()),
    'sub_tensor': bb('sub', R(3, 4), R(3, 4)),
    'sub_broadcast': bb('sub', R(4), R(3, 1)),
    'sub_scalar': bb('sub', R(3, 4), scalar=1.25),
    'sub_alpha': bb('sub', R(3, 4), R(3, 4), alpha=2),
    'rsub_scalar': bb('rsub', R(3, 4), scalar=1),
    'rsub_tensor_alpha': bb('rsub', R(3, 4), R(3, 4), alpha=2),
    'mul_tensor': bb('mul', R(3, 4), R(3, 4)),
    'mul_broadcast': bb('mul', R(2, 1, 4), R(3, 1)),
    'mul_scalar': bb('mul', R(3, 4), scalar=-3.5),
    'div_tensor': bb('div', R(3, 4), AWAY(3, 4)),
    'div_broadcast': bb('div', R(3, 4), AWAY(4)),
    'div_scalar': bb('div', R(3, 4), scalar=4),
    'div_trunc_tensor': bb('div', R(3, 4, scale=4), AWAY(3, 4), mode='trunc'),
    'div_floor_tensor': bb('div', R(3, 4, scale=4), AWAY(3, 4), mode='floor'),
    'div_trunc_scalar': bb('div', R(3, 4, scale=4), scalar=-1.5, mode='trunc'),
    'div_floor_scalar': bb('div', R(3, 4, scale=4), scalar=1.5, mode='floor'),
    'pow_scalar_int': bb('pow', R(3, 4), scalar=3),
    'pow_scalar_frac': bb('pow', U(0.1, 3, 3, 4), scalar=0.5),
    'pow_scalar_negative': bb('pow', U(0.5, 3, 3, 4), scalar=-2),
    'pow_tensor': bb('pow', U(0.2, 3, 3, 4), R(3, 4)),
    'pow_tensor_broadcast': bb('pow', U(0.2, 3, 3, 4), R(4)),
    'remainder_tensor': bb('remainder', R(3, 4, scale=4), AWAY(3, 4)),
    'remainder_scalar': bb('remainder', R(3, 4, scale=4), scalar=1.5),
    'remainder_negative_scalar': bb('remainder', R(3, 4, scale=4), scalar=-1.5),
    'fmod_tensor': bb('fmod', R(3, 4, scale=4), AWAY(3, 4)),
    'fmod_scalar': bb('fmod', R(3, 4, scale=4), scalar=1.5),
    'atan2': bb('atan2', R(3, 4), R(3, 4)),
    'atan2_broadcast': bb('atan2', R(3, 4), AWAY(4)),
    'maximum': bb('maximum', R(3, 4), R(3, 4)),
    'maximum_broadcast': bb('maximum', R(3, 4), R(1, 4)),
    'minimum': bb('minimum', R(3, 4), R(3, 4)),
    'minimum_broadcast': bb('minimum', R(3, 1), R(3, 4)),
    'logicalAnd': bb('logicalAnd', B(3, 4), B(3, 4), grad=False),
    'logicalOr': bb('logicalOr', B(3, 4), B(3, 4), grad=False),
    'logicalXor': bb('logicalXor', B(3, 4), B(3, 4), grad=False),
    'logicalAnd_float': bb('logicalAnd', HALVES(3, 4, lo=-1, hi=1), HALVES(3, 4, lo=-1, hi=1), grad=False),
    'logicalOr_broadcast': bb('logicalOr', B(3, 1), B(4), grad=False),
    # integer type promotion
    'int64_add_int_scalar_stays_int64': bb('add', I(-9, 9, 6), scalar=1),
    'int64_add_float_scalar_gives_float32': bb('add', I(-9, 9, 6), scalar=1.5),
    'int64_mul_int_scalar': bb('mul', I(-9, 9, 6), scalar=3),
    'int64_add_int64': bb('add', I(-9, 9, 6), I(-9, 9, 6)),
    'int64_add_float32_tensor': bb('add', I(-9, 9, 6), R(6)),
    'int64_add_f64_0d_gives_float32': bb('add', I(-9, 9, 6), R(dtype=F64)),
    'int32_add_int64': bb('add', I(-9, 9, 6, dtype=torch.int32), I(-9, 9, 6)),
    'int32_add_int_scalar_stays_int32': bb('add', I(-9, 9, 6, dtype=torch.int32), scalar=2),
    'float32_add_float64': bb('add', R(6), R(6, dtype=F64)),
    'float32_add_int64_0d': bb('add', R(6), torch.tensor(3)),
    'int64_div_int64_gives_float32': bb('div', I(-9, 9, 6), torch.tensor([2, -3, 4, 5, -2, 7])),
    'int64_div_int_scalar_gives_float32': bb('div', I(-9, 9, 6), scalar=4),
    'int64_div_trunc_stays_int64': bb('div', I(-9, 9, 6), torch.tensor([2, -3, 4, 5, -2, 7]), mode='trunc'),
    'int64_div_floor_stays_int64': bb('div', I(-9, 9, 6), torch.tensor([2, -3, 4, 5, -2, 7]), mode='floor'),
    'int64_div_floor_scalar': bb('div', I(-9, 9, 6), scalar=-4, mode='floor'),
    'int64_remainder_negative': bb('remainder', I(-9, 9, 6), scalar=-4),
    'int64_fmod': bb('fmod', I(-9, 9, 6), scalar=4),
    'int64_pow_int': bb('pow', I(-4, 4, 6), scalar=2),
    'int64_pow_float_gives_float32': bb('pow', I(0, 5, 6), scalar=0.5),
    'int64_sub_scalar_alpha': bb('sub', I(-9, 9, 6), scalar=2, alpha=3),
    'bool_add_bool': bb('add', B(6), B(6)),
    'bool_add_int_scalar_gives_int64': bb('add', B(6), scalar=2),
    'uint8_add_int64_0d_stays_uint8': bb('add', I(0, 200, 6, dtype=torch.uint8), torch.tensor(3)),
    'int64_maximum_float': bb('maximum', I(-3, 3, 6), R(6)),
    'mul_f64': bb('mul', R(3, 4, dtype=F64), R(3, 4, dtype=F64)),
    'div_f64': bb('div', R(3, 4, dtype=F64), AWAY(3, 4, dtype=F64)),
    'pow_f64': bb('pow', U(0.2, 3, 3, 4, dtype=F64), R(3, 4, dtype=F64)),
}
for name, (xs, a, g) in BIN.items():
    case(f'binary_{name}', 'binary', xs, a, grad=g)
for c in ['eq', 'ne', 'lt', 'le', 'gt', 'ge']:
    case(f'compare_{c}_tensor', 'binary', [HALVES(3, 4, lo=-1, hi=1), HALVES(3, 4, lo=-1, hi=1)], {'fn': c}, grad=False)
    case(f'compare_{c}_scalar', 'binary', [HALVES(3, 4, lo=-1, hi=1)], {'fn': c, 'scalar': 0.5}, grad=False)
    case(f'compare_{c}_broadcast_int', 'binary', [I(0, 3, 3, 1), I(0, 3, 4)], {'fn': c}, grad=False)
case('compare_eq_nan', 'binary', [SPECIAL.clone(), SPECIAL.clone()], {'fn': 'eq'}, grad=False)
case('compare_lt_int_float', 'binary', [I(-2, 2, 6), HALVES(6, lo=-2, hi=2)], {'fn': 'lt'}, grad=False)
case('binary_add_0d_0d', 'binary', [R(), R()], {'fn': 'add'})
case('binary_div_by_zero', 'binary', [torch.tensor([1.0, -2.0, 0.0]), torch.zeros(3)], {'fn': 'div'}, grad=False)
case('binary_pow_zero_zero', 'binary', [torch.tensor([0.0, 2.0, -3.0])], {'fn': 'pow', 'scalar': 0}, grad=False)
case('clamp_both', 'clamp', [R(3, 4, scale=2)], {'min': -1, 'max': 0.5})
case('clamp_min_only', 'clamp', [R(3, 4)], {'min': 0.25})
case('clamp_max_only', 'clamp', [R(3, 4)], {'max': -0.25})
case('clamp_tensors', 'clamp', [R(3, 4, scale=2), R(3, 4) - 1, R(1, 4) + 1], {'minT': 1, 'maxT': 2})
case('clamp_tensor_min_scalar_max', 'clamp', [R(3, 4, scale=2), R(4)], {'minT': 1, 'max': 1})
case('clamp_int64', 'clamp', [I(-9, 9, 6)], {'min': -3, 'max': 4})
case('clampMin', 'clampMin', [R(3, 4)], {'min': 0})
case('clampMax_tensor', 'clampMax', [R(3, 4), R(3, 4)], {'maxT': 1})
CLOSE = R(3, 4)
case('allclose_true', 'allclose', [CLOSE, CLOSE * (1 + 1e-6)], grad=False)
case('allclose_false', 'allclose', [CLOSE, CLOSE + 1e-3], grad=False)
case('allclose_loose', 'allclose', [CLOSE, CLOSE + 1e-3], {'rtol': 0, 'atol': 2e-3}, grad=False)
case('allclose_nan', 'allclose', [SPECIAL.clone(), SPECIAL.clone()], {'equalNan': True}, grad=False)
case('allclose_nan_default', 'allclose', [SPECIAL.clone(), SPECIAL.clone()], grad=False)
case('equal_true', 'equal', [CLOSE, CLOSE.clone()], grad=False)
case('equal_false', 'equal', [CLOSE, CLOSE * (1 + 1e-6)], grad=False)
case('lerp_scalar', 'lerp', [R(3, 4), R(3, 4)], {'weight': 0.3})
case('lerp_tensor', 'lerp', [R(3, 4), R(3, 4), U(0, 1, 3, 4)])
case('lerp_big_weight', 'lerp', [R(3, 4), R(3, 4)], {'weight': 0.8})
case('addcmul', 'addcmul', [R(3, 4), R(3, 4), R(3, 4)], {'value': 0.5})
case('addcmul_broadcast', 'addcmul', [R(3, 4), R(4), R(3, 1)])
case('addcdiv', 'addcdiv', [R(3, 4), R(3, 4), AWAY(3, 4)], {'value': -2})
case('addcdiv_f64', 'addcdiv', [R(3, 4, dtype=F64), R(3, 4, dtype=F64), AWAY(3, 4, dtype=F64)], {'value': 0.1})

# -- in-place ops used by optimizers (values only)
case('inplace_add_alpha', 'inplace', [R(3, 4), R(3, 4)], {'fn': 'add', 'alpha': -0.01}, grad=False)
case('inplace_add_scalar', 'inplace', [R(3, 4)], {'fn': 'add', 'scalar': 0.5}, grad=False)
case('inplace_add_broadcast', 'inplace', [R(3, 4), R(4)], {'fn': 'add'}, grad=False)
case('inplace_sub_alpha', 'inplace', [R(3, 4), R(3, 4)], {'fn': 'sub', 'alpha': 0.1}, grad=False)
case('inplace_mul_tensor', 'inplace', [R(3, 4), R(3, 4)], {'fn': 'mul'}, grad=False)
case('inplace_mul_scalar', 'inplace', [R(3, 4)], {'fn': 'mul', 'scalar': 0.9}, grad=False)
case('inplace_div_tensor', 'inplace', [R(3, 4), AWAY(3, 4)], {'fn': 'div'}, grad=False)
case('inplace_div_scalar', 'inplace', [R(3, 4)], {'fn': 'div', 'scalar': 0.999}, grad=False)
case('inplace_div_floor', 'inplace', [R(3, 4, scale=3), AWAY(3, 4)], {'fn': 'div', 'mode': 'floor'}, grad=False)
case('inplace_pow', 'inplace', [U(0.1, 2, 3, 4)], {'fn': 'pow', 'scalar': 2}, grad=False)
case('inplace_int64_add', 'inplace', [I(-5, 5, 6)], {'fn': 'add', 'scalar': 3}, grad=False)
case('inplace_addcmul_value', 'addcmul_', [R(3, 4), R(3, 4), R(3, 4)], {'value': 0.001}, grad=False)
case('inplace_addcdiv_value', 'addcdiv_', [R(3, 4), R(3, 4), U(0.5, 2, 3, 4)], {'value': -0.01}, grad=False)
case('inplace_copy', 'copy_', [R(3, 4), R(3, 4)], grad=False)
case('inplace_copy_broadcast_cast', 'copy_', [R(3, 4), R(4, dtype=F64)], grad=False)
case('inplace_copy_int_to_float', 'copy_', [R(2, 3), I(-5, 5, 2, 3)], grad=False)
case('inplace_zero', 'zero_', [R(3, 4)], grad=False)
case('inplace_fill', 'fill_', [R(3, 4)], {'value': 0.75}, grad=False)
case('inplace_clamp', 'clamp_', [R(3, 4, scale=2)], {'min': -1, 'max': 1}, grad=False)
case('inplace_clamp_min', 'clamp_', [R(3, 4)], {'min': 1e-3}, grad=False)
case('inplace_lerp_scalar', 'lerp_', [R(3, 4), R(3, 4)], {'weight': 0.1}, grad=False)
case('inplace_lerp_tensor', 'lerp_', [R(3, 4), R(3, 4), U(0, 1, 3, 4)], grad=False)
case('inplace_maskedFill', 'maskedFill_', [R(3, 4), B(3, 4)], {'value': 0}, grad=False)

# -- reductions
case('sum_all', 'sum', [R(3, 4)])
case('sum_dim', 'sum', [R(3, 4)], {'dim': 1})
case('sum_dims_keepdim', 'sum', [R(2, 3, 4)], {'dim': [0, 2], 'keepdim': True})
case('sum_negative_dim', 'sum', [R(2, 3, 4)], {'dim': -2})
case('sum_dtype_f64', 'sum', [R(3, 4)], {'dtype': 'float64'})
case('sum_int64', 'sum', [I(-9, 9, 3, 4)])
case('sum_bool_gives_int64', 'sum', [B(3, 4)], {'dim': 0})
case('sum_int32_gives_int64', 'sum', [I(-9, 9, 6, dtype=torch.int32)])
case('sum_f64', 'sum', [R(3, 4, dtype=F64)], {'dim': 0})
case('mean_all', 'mean', [R(3, 4)])
case('mean_dim', 'mean', [R(3, 4)], {'dim': 0})
case('mean_dims_keepdim', 'mean', [R(2, 3, 4)], {'dim': [1, 2], 'keepdim': True})
case('mean_f64', 'mean', [R(3, 4, dtype=F64)], {'dim': -1})
case('prod_all', 'prod', [U(0.5, 1.5, 3, 4)])
case('prod_dim', 'prod', [AWAY(3, 4)], {'dim': 1})
case('prod_dim_keepdim', 'prod', [AWAY(3, 4)], {'dim': 0, 'keepdim': True})
case('var_all', 'var', [R(3, 4)])
case('var_correction0', 'var', [R(3, 4)], {'correction': 0})
case('var_dim', 'var', [R(3, 4)], {'dim': 1})
case('var_dim_keepdim_corr0', 'var', [R(3, 4)], {'dim': [0], 'keepdim': True, 'correction': 0})
case('var_unbiased_false', 'var', [R(3, 4)], {'dim': 0, 'unbiased': False})
case('var_correction2', 'var', [R(3, 5)], {'dim': 1, 'correction': 2})
case('var_f64', 'var', [R(3, 4, dtype=F64)], {'dim': 1})
case('std_all', 'std', [R(3, 4)])
case('std_dim', 'std', [R(3, 4)], {'dim': 0})
case('std_correction0_keepdim', 'std', [R(2, 3, 4)], {'dim': [1, 2], 'keepdim': True, 'correction': 0})
case('max_all', 'max', [R(3, 4)])
case('max_dim', 'max', [R(3, 4)], {'dim': 1})
case('max_dim_keepdim', 'max', [R(3, 4)], {'dim': 0, 'keepdim': True})
case('max_int64_dim', 'max', [I(-50, 50, 3, 4)], {'dim': 1})
case('min_all', 'min', [R(3, 4)])
case('min_dim', 'min', [R(3, 4)], {'dim': -1})
case('min_dim_keepdim', 'min', [R(2, 3, 4)], {'dim': 1, 'keepdim': True})
case('amax_all', 'amax', [R(3, 4)])
case('amax_dims', 'amax', [R(2, 3, 4)], {'dim': [0, 2]})
case('amax_keepdim', 'amax', [R(3, 4)], {'dim': 1, 'keepdim': True})
case('amin_dim', 'amin', [R(3, 4)], {'dim': 0})
case('argmax_all', 'argmax', [R(3, 4)], grad=False)
case('argmax_dim', 'argmax', [R(3, 4)], {'dim': 1}, grad=False)
case('argmax_dim_keepdim', 'argmax', [R(3, 4)], {'dim': 0, 'keepdim': True}, grad=False)
case('argmin_all', 'argmin', [R(3, 4)], grad=False)
case('argmin_dim', 'argmin', [R(3, 4)], {'dim': -1}, grad=False)
case('norm_2', 'norm', [R(3, 4)])
case('norm_1', 'norm', [AWAY(3, 4)], {'p': 1})
case('norm_inf', 'norm', [R(3, 4)], {'p': 'inf'})
case('norm_3', 'norm', [R(3, 4)], {'p': 3})
case('norm_2_dim', 'norm', [R(3, 4)], {'dim': 1})
case('norm_1_dim_keepdim', 'norm', [AWAY(3, 4)], {'p': 1, 'dim': [0], 'keepdim': True})
case('norm_inf_dim', 'norm', [R(3, 4)], {'p': 'inf', 'dim': 1})
case('norm_2_f64', 'norm', [R(3, 4, dtype=F64)])
case('all_bool', 'all', [B(3, 4, p=0.8)], grad=False)
case('all_true', 'all', [torch.ones(2, 3, dtype=torch.bool)], grad=False)
case('all_dim', 'all', [B(3, 4, p=0.7)], {'dim': 1}, grad=False)
case('all_float', 'all', [HALVES(3, 4)], grad=False)
case('any_bool', 'any', [B(3, 4, p=0.1)], grad=False)
case('any_false', 'any', [torch.zeros(2, 3, dtype=torch.bool)], grad=False)
case('any_dim_keepdim', 'any', [B(3, 4, p=0.2)], {'dim': 0, 'keepdim': True}, grad=False)
case('logsumexp', 'logsumexp', [R(3, 4, scale=3)], {'dim': 1})
case('logsumexp_dims_keepdim', 'logsumexp', [R(2, 3, 4, scale=3)], {'dim': [0, 2], 'keepdim': True})
case('logsumexp_large', 'logsumexp', [R(3, 4) * 50 + 100], {'dim': -1})
case('cumsum', 'cumsum', [R(3, 4)], {'dim': 1})
case('cumsum_dim0', 'cumsum', [R(3, 4)], {'dim': 0})
case('cumsum_int64', 'cumsum', [I(-5, 5, 6)], {'dim': 0})
case('cumprod', 'cumprod', [AWAY(3, 4, hi=1.5)], {'dim': 1})
case('sort_int64', 'sort', [PERM(7) - 3], {'descending': True}, grad=False)
case('topk_int64', 'topk', [PERM(7) * 2], {'k': 3}, grad=False)
case('cumsum_int32_gives_int64', 'cumsum', [I(-5, 5, 6, dtype=torch.int32)], {'dim': 0})
case('prod_int64', 'prod', [I(1, 4, 6)])
case('norm_0_counts_nonzero', 'norm', [HALVES(3, 4, lo=-1, hi=1)], {'p': 0}, grad=False)
case('norm_neg_inf', 'norm', [AWAY(3, 4)], {'p': '-inf'})
case('sort', 'sort', [R(3, 5)])
case('sort_descending_dim0', 'sort', [R(4, 3)], {'dim': 0, 'descending': True})
case('argsort', 'argsort', [R(3, 5)], grad=False)
case('argsort_descending', 'argsort', [R(3, 5)], {'dim': 0, 'descending': True}, grad=False)
case('topk', 'topk', [R(3, 6)], {'k': 2})
case('topk_smallest_dim0', 'topk', [R(5, 3)], {'k': 3, 'dim': 0, 'largest': False})
case('countNonzero_all', 'countNonzero', [HALVES(3, 4, lo=-1, hi=1)], grad=False)
case('countNonzero_dim', 'countNonzero', [HALVES(3, 4, lo=-1, hi=1)], {'dim': 1}, grad=False)

# -- linear algebra
case('matmul_2d', 'matmul', [R(3, 4), R(4, 5)])
case('matmul_1d_2d', 'matmul', [R(4), R(4, 3)])
case('matmul_2d_1d', 'matmul', [R(3, 4), R(4)])
case('matmul_1d_1d', 'matmul', [R(4), R(4)])
case('matmul_batched_broadcast', 'matmul', [R(2, 3, 4), R(4, 2)])
case('matmul_batched_both', 'matmul', [R(2, 1, 3, 4), R(3, 4, 2)])
case('matmul_f64', 'matmul', [R(3, 4, dtype=F64), R(4, 5, dtype=F64)])
case('mm', 'mm', [R(3, 4), R(4, 2)])
case('bmm', 'bmm', [R(2, 3, 4), R(2, 4, 5)])
case('mv', 'mv', [R(3, 4), R(4)])
case('dot', 'dot', [R(5), R(5)])
case('outer', 'outer', [R(3), R(4)])
case('linear_bias', 'linear', [R(5, 4), R(3, 4), R(3)])
case('linear_no_bias', 'linear', [R(5, 4), R(3, 4)])
case('linear_3d_input', 'linear', [R(2, 3, 4), R(6, 4), R(6)])
case('linear_f64', 'linear', [R(5, 4, dtype=F64), R(3, 4, dtype=F64), R(3, dtype=F64)])

# -- convolution
case('conv1d_basic', 'conv1d', [R(2, 3, 9), R(4, 3, 3), R(4)])
case('conv1d_stride_pad_dil', 'conv1d', [R(2, 2, 11), R(3, 2, 3)], {'stride': 2, 'padding': 2, 'dilation': 2})
case('conv1d_groups', 'conv1d', [R(1, 4, 8), R(6, 2, 3), R(6)], {'groups': 2, 'padding': 1})
case('conv1d_same', 'conv1d', [R(1, 2, 7), R(3, 2, 4)], {'padding': 'same'})
case('conv1d_valid', 'conv1d', [R(1, 2, 7), R(3, 2, 3)], {'padding': 'valid'})
case('conv2d_bias', 'conv2d', [R(2, 3, 6, 6), R(4, 3, 3, 3), R(4)])
case('conv2d_stride2_pad1', 'conv2d', [R(1, 2, 7, 7), R(3, 2, 3, 3), R(3)], {'stride': 2, 'padding': 1})
case('conv2d_stride_pair_pad_pair', 'conv2d', [R(1, 2, 6, 7), R(3, 2, 3, 2)], {'stride': [2, 1], 'padding': [1, 2]})
case('conv2d_same', 'conv2d', [R(1, 2, 5, 6), R(2, 2, 3, 3), R(2)], {'padding': 'same'})
case('conv2d_same_even_kernel_dilation', 'conv2d', [R(1, 2, 6, 6), R(2, 2, 2, 4)], {'padding': 'same', 'dilation': [2, 1]})
case('conv2d_valid', 'conv2d', [R(1, 2, 5, 5), R(3, 2, 3, 3), R(3)], {'padding': 'valid'})
case('conv2d_dilation', 'conv2d', [R(1, 2, 8, 8), R(2, 2, 3, 3)], {'dilation': 2, 'padding': 2})
case('conv2d_groups', 'conv2d', [R(2, 4, 5, 5), R(6, 2, 3, 3), R(6)], {'groups': 2, 'padding': 1})
case('conv2d_depthwise', 'conv2d', [R(1, 3, 6, 6), R(3, 1, 3, 3), R(3)], {'groups': 3, 'padding': 1})
case('conv2d_depthwise_multiplier', 'conv2d', [R(1, 2, 5, 5), R(4, 1, 3, 3)], {'groups': 2, 'stride': 2})
case('conv2d_1x1', 'conv2d', [R(2, 4, 3, 3), R(2, 4, 1, 1), R(2)])
case('conv2d_unbatched', 'conv2d', [R(2, 5, 5), R(3, 2, 3, 3), R(3)], {'padding': 1})
case('conv2d_f64', 'conv2d', [R(1, 2, 5, 5, dtype=F64), R(3, 2, 3, 3, dtype=F64), R(3, dtype=F64)], {'padding': 1})
case('convTranspose2d_stride2', 'convTranspose2d', [R(1, 3, 4, 4), R(3, 2, 2, 2), R(2)], {'stride': 2})
case('convTranspose2d_pad_outpad', 'convTranspose2d', [R(2, 2, 3, 3), R(2, 3, 3, 3), R(3)], {'stride': 2, 'padding': 1, 'outputPadding': 1})
case('convTranspose2d_groups', 'convTranspose2d', [R(1, 4, 3, 3), R(4, 1, 3, 3), R(2)], {'groups': 2, 'stride': 2})
case('convTranspose2d_dilation', 'convTranspose2d', [R(1, 2, 3, 3), R(2, 2, 2, 2)], {'dilation': 2})
case('convTranspose2d_f64', 'convTranspose2d', [R(1, 2, 3, 3, dtype=F64), R(2, 2, 3, 3, dtype=F64), R(2, dtype=F64)], {'stride': 2, 'padding': 1, 'outputPadding': 1})

# -- pooling (random inputs: no ties)
case('maxPool2d_k2', 'maxPool2d', [R(2, 2, 6, 6)], {'k': 2})
case('maxPool2d_k3_s2_p1', 'maxPool2d', [R(1, 2, 7, 7)], {'k': 3, 'stride': 2, 'padding': 1})
case('maxPool2d_ceil', 'maxPool2d', [R(1, 2, 7, 7)], {'k': 2, 'ceilMode': True})
case('maxPool2d_ceil_pad', 'maxPool2d', [R(1, 1, 6, 8)], {'k': 3, 'stride': 2, 'padding': 1, 'ceilMode': True})
case('maxPool2d_indices', 'maxPool2d', [R(1, 2, 5, 5)], {'k': 2, 'stride': 2, 'ceilMode': True, 'returnIndices': True})
case('maxPool2d_rect_dilation', 'maxPool2d', [R(1, 1, 7, 8)], {'k': [2, 3], 'stride': [1, 2], 'dilation': 2})
case('maxPool2d_unbatched', 'maxPool2d', [R(2, 4, 4)], {'k': 2})
case('avgPool2d_k2', 'avgPool2d', [R(2, 2, 6, 6)], {'k': 2})
case('avgPool2d_pad_include', 'avgPool2d', [R(1, 2, 5, 5)], {'k': 3, 'stride': 2, 'padding': 1})
case('avgPool2d_pad_exclude', 'avgPool2d', [R(1, 2, 5, 5)], {'k': 3, 'stride': 2, 'padding': 1, 'countIncludePad': False})
case('avgPool2d_ceil', 'avgPool2d', [R(1, 1, 7, 7)], {'k': 2, 'ceilMode': True})
case('avgPool2d_ceil_exclude', 'avgPool2d', [R(1, 1, 6, 7)], {'k': 3, 'stride': 2, 'padding': 1, 'ceilMode': True, 'countIncludePad': False})
case('avgPool2d_divisor', 'avgPool2d', [R(1, 1, 4, 4)], {'k': 2, 'divisorOverride': 3})
case('adaptiveAvgPool2d_global', 'adaptiveAvgPool2d', [R(2, 3, 5, 4)], {'size': 1})
case('adaptiveAvgPool2d_uneven', 'adaptiveAvgPool2d', [R(1, 2, 7, 5)], {'size': [3, 2]})
case('adaptiveAvgPool2d_upsample', 'adaptiveAvgPool2d', [R(1, 1, 2, 3)], {'size': [4, 4]})
case('adaptiveMaxPool2d', 'adaptiveMaxPool2d', [R(1, 2, 7, 5)], {'size': [3, 2]})
case('adaptiveMaxPool2d_global', 'adaptiveMaxPool2d', [R(2, 2, 4, 4)], {'size': 1})
case('maxPool1d', 'maxPool1d', [R(2, 2, 9)], {'k': 3, 'stride': 2, 'padding': 1})
case('maxPool1d_ceil', 'maxPool1d', [R(1, 2, 8)], {'k': 3, 'ceilMode': True})
case('avgPool1d', 'avgPool1d', [R(2, 2, 9)], {'k': 3, 'stride': 2, 'padding': 1})
case('avgPool1d_exclude_pad', 'avgPool1d', [R(1, 2, 8)], {'k': 4, 'stride': 3, 'padding': 2, 'countIncludePad': False})
case('maxPool2d_f64', 'maxPool2d', [R(1, 2, 6, 6, dtype=F64)], {'k': 3, 'stride': 2, 'padding': 1})

# -- resampling
case('interpolate_nearest_size', 'interpolate', [R(1, 2, 3, 4)], {'size': [5, 7]})
case('interpolate_nearest_scale2', 'interpolate', [R(1, 2, 3, 3)], {'scaleFactor': 2})
case('interpolate_nearest_down', 'interpolate', [R(1, 1, 6, 5)], {'size': [4, 2]})
case('interpolate_nearest_scale_frac', 'interpolate', [R(1, 1, 4, 4)], {'scaleFactor': 1.5})
case('interpolate_bilinear_size', 'interpolate', [R(1, 2, 3, 4)], {'size': [5, 7], 'mode': 'bilinear'})
case('interpolate_bilinear_size_align', 'interpolate', [R(1, 2, 3, 4)], {'size': [5, 7], 'mode': 'bilinear', 'alignCorners': True})
case('interpolate_bilinear_scale2', 'interpolate', [R(2, 1, 3, 3)], {'scaleFactor': 2, 'mode': 'bilinear'})
case('interpolate_bilinear_scale2_align', 'interpolate', [R(2, 1, 3, 3)], {'scaleFactor': 2, 'mode': 'bilinear', 'alignCorners': True})
case('interpolate_bilinear_scale_pair', 'interpolate', [R(1, 1, 4, 4)], {'scaleFactor': [1.5, 0.5], 'mode': 'bilinear'})
case('interpolate_bilinear_down', 'interpolate', [R(1, 1, 6, 6)], {'size': [4, 3], 'mode': 'bilinear'})
case('interpolate_bilinear_f64', 'interpolate', [R(1, 1, 3, 3, dtype=F64)], {'size': [5, 4], 'mode': 'bilinear', 'alignCorners': True})
case('pixelShuffle', 'pixelShuffle', [R(1, 8, 2, 3)], {'r': 2})
case('pixelShuffle_r3', 'pixelShuffle', [R(2, 9, 2, 2)], {'r': 3})
case('pixelUnshuffle', 'pixelUnshuffle', [R(1, 2, 4, 6)], {'r': 2})

# -- normalisation
case('batchNorm_train_stats', 'batchNorm', [R(4, 3, 3, 3, scale=2) + 1, R(3) * 0.1, U(0.5, 1.5, 3), U(0.5, 1.5, 3), R(3)],
     {'rm': 1, 'rv': 2, 'w': 3, 'b': 4, 'training': True}, nograd=[1, 2])
case('batchNorm_train_momentum', 'batchNorm', [R(5, 2, 4) * 3, torch.zeros(2), torch.ones(2)],
     {'rm': 1, 'rv': 2, 'training': True, 'momentum': 0.3, 'eps': 1e-3}, nograd=[1, 2])
case('batchNorm_train_no_stats', 'batchNorm', [R(4, 3, 2, 2), U(0.5, 1.5, 3), R(3)], {'w': 1, 'b': 2, 'training': True})
case('batchNorm_train_2d', 'batchNorm', [R(6, 4), torch.zeros(4), torch.ones(4)], {'rm': 1, 'rv': 2, 'training': True}, nograd=[1, 2])
case('batchNorm_eval', 'batchNorm', [R(2, 3, 3, 3), R(3) * 0.5, U(0.5, 2, 3), U(0.5, 1.5, 3), R(3)],
     {'rm': 1, 'rv': 2, 'w': 3, 'b': 4, 'training': False}, nograd=[1, 2])
case('batchNorm_eval_no_affine', 'batchNorm', [R(2, 3, 4), R(3), U(0.5, 2, 3)], {'rm': 1, 'rv': 2}, nograd=[1, 2])
case('batchNorm_train_f64', 'batchNorm', [R(4, 2, 3, 3, dtype=F64), torch.zeros(2, dtype=F64), torch.ones(2, dtype=F64), U(0.5, 1.5, 2, dtype=F64), R(2, dtype=F64)],
     {'rm': 1, 'rv': 2, 'w': 3, 'b': 4, 'training': True}, nograd=[1, 2])
case('groupNorm_affine', 'groupNorm', [R(2, 6, 3, 3, scale=2), U(0.5, 1.5, 6), R(6)], {'groups': 3, 'w': 1, 'b': 2})
case('groupNorm_plain', 'groupNorm', [R(2, 4, 5)], {'groups': 2})
case('groupNorm_one_group_eps', 'groupNorm', [R(1, 4, 2, 2)], {'groups': 1, 'eps': 1e-3})
case('groupNorm_f64', 'groupNorm', [R(2, 4, 3, 3, dtype=F64), U(0.5, 1.5, 4, dtype=F64), R(4, dtype=F64)], {'groups': 2, 'w': 1, 'b': 2})
case('layerNorm_last', 'layerNorm', [R(3, 5, scale=3) + 1, U(0.5, 1.5, 5), R(5)], {'shape': [5], 'w': 1, 'b': 2})
case('layerNorm_last2', 'layerNorm', [R(2, 3, 4), U(0.5, 1.5, 3, 4), R(3, 4)], {'shape': [3, 4], 'w': 1, 'b': 2})
case('layerNorm_plain', 'layerNorm', [R(4, 6)], {'shape': [6], 'eps': 1e-6})
case('instanceNorm', 'instanceNorm', [R(2, 3, 4, 4, scale=2) + 0.5])
case('instanceNorm_affine', 'instanceNorm', [R(2, 3, 5), U(0.5, 1.5, 3), R(3)], {'w': 1, 'b': 2})
case('dropout_p0_train', 'dropout', [R(3, 4)], {'p': 0.0, 'training': True})
case('dropout_p1_train', 'dropout', [R(3, 4)], {'p': 1.0, 'training': True})
case('dropout_eval', 'dropout', [R(3, 4)], {'p': 0.5, 'training': False})
case('dropout2d_p0_train', 'dropout2d', [R(2, 3, 2, 2)], {'p': 0.0, 'training': True})
case('dropout2d_p1_train', 'dropout2d', [R(2, 3, 2, 2)], {'p': 1.0, 'training': True})
case('dropout2d_eval', 'dropout2d', [R(2, 3, 2, 2)], {'p': 0.5, 'training': False})
case('alphaDropout_eval', 'alphaDropout', [R(3, 4)], {'p': 0.5, 'training': False})
case('softmax_last', 'softmax', [R(3, 5, scale=2)], {'dim': -1})
case('softmax_dim0', 'softmax', [R(3, 5, scale=2)], {'dim': 0})
case('softmax_4d_channels', 'softmax', [R(2, 3, 2, 2, scale=2)], {'dim': 1})
case('softmax_large_values', 'softmax', [R(2, 4) * 30 + 500], {'dim': 1})
case('softmax_dtype_f64', 'softmax', [R(3, 4)], {'dim': 1, 'dtype': 'float64'})
case('softmax_f64', 'softmax', [R(3, 4, dtype=F64)], {'dim': 1})
case('logSoftmax_last', 'logSoftmax', [R(3, 5, scale=2)], {'dim': -1})
case('logSoftmax_dim1_4d', 'logSoftmax', [R(2, 3, 2, 2, scale=2)], {'dim': 1})
case('logSoftmax_f64', 'logSoftmax', [R(3, 4, dtype=F64)], {'dim': 0})
case('oneHot', 'oneHot', [torch.tensor([0, 2, 1, 2])], grad=False)
case('oneHot_numClasses_2d', 'oneHot', [I(0, 3, 2, 3)], {'numClasses': 5}, grad=False)

# -- activations (inputs away from kinks)
ACT_INPUT = lambda: AWAY(3, 5, lo=0.05, hi=4)
for fn in ['sigmoid', 'tanh', 'relu', 'selu', 'silu', 'mish', 'logsigmoid', 'identity', 'hardlim', 'hardlims', 'radbas',
           'satlin', 'satlins', 'softsign', 'logsig', 'tansig', 'purelin', 'poslin', 'swish']:
    case(f'act_{fn}', 'act', [ACT_INPUT() * (0.5 if fn in ('satlin', 'satlins') else 1)], {'fn': fn})
for fn in ['hardswish', 'hardsigmoid', 'hSwish', 'hSigmoid', 'relu6']:
    case(f'act_{fn}', 'act', [U(-8, 8, 3, 5)], {'fn': fn})
case('act_hardtanh', 'act', [R(3, 5, scale=2)], {'fn': 'hardtanh'})
case('act_hardtanh_range', 'act', [R(3, 5, scale=2)], {'fn': 'hardtanh', 'min': -0.5, 'max': 2})
case('act_leakyRelu_default', 'act', [ACT_INPUT()], {'fn': 'leakyRelu'})
case('act_leakyRelu_slope', 'act', [ACT_INPUT()], {'fn': 'leakyRelu', 'slope': 0.2})
case('act_elu', 'act', [ACT_INPUT()], {'fn': 'elu'})
case('act_elu_alpha', 'act', [ACT_INPUT()], {'fn': 'elu', 'alpha': 0.5})
case('act_celu', 'act', [ACT_INPUT()], {'fn': 'celu'})
case('act_celu_alpha', 'act', [ACT_INPUT()], {'fn': 'celu', 'alpha': 2})
case('act_gelu', 'act', [ACT_INPUT()], {'fn': 'gelu'})
case('act_gelu_tanh', 'act', [ACT_INPUT()], {'fn': 'gelu', 'approximate': 'tanh'})
case('act_softplus', 'act', [R(3, 5, scale=3)], {'fn': 'softplus'})
case('act_softplus_beta_threshold', 'act', [R(3, 5, scale=3)], {'fn': 'softplus', 'beta': 2, 'threshold': 3})
case('act_softplus_large', 'act', [R(2, 3) * 5 + 30], {'fn': 'softplus'})
case('act_gelu_f64', 'act', [ACT_INPUT().double()], {'fn': 'gelu'})
case('act_mish_f64', 'act', [ACT_INPUT().double()], {'fn': 'mish'})
case('prelu_single', 'prelu', [AWAY(2, 3, 4), torch.tensor([0.25])])
case('prelu_per_channel', 'prelu', [AWAY(2, 3, 2, 2), torch.tensor([0.1, -0.2, 0.5])])
case('prelu_per_channel_2d', 'prelu', [AWAY(4, 3), torch.tensor([0.3, 0.2, 0.1])])
case('reluInplace', 'reluInplace', [AWAY(3, 4)], grad=False)

# -- losses, each with every reduction
REDUCTIONS = ['none', 'mean', 'sum']


def loss_cases(base, fn, make_inputs, extra=None, nograd=(), grad=True):
    for r in REDUCTIONS:
        a = {'fn': fn, 'reduction': r}
        a.update(extra or {})
        case(f'loss_{base}_{r}', 'loss', make_inputs(), a, nograd=nograd, grad=grad)


loss_cases('mse', 'mseLoss', lambda: [R(3, 4), R(3, 4)])
loss_cases('l1', 'l1Loss', lambda: [R(3, 4), R(3, 4)])
loss_cases('smoothL1', 'smoothL1Loss', lambda: [R(3, 4, scale=2), R(3, 4)])
loss_cases('smoothL1_beta', 'smoothL1Loss', lambda: [R(3, 4), R(3, 4)], {'beta': 0.5})
loss_cases('huber', 'huberLoss', lambda: [R(3, 4, scale=2), R(3, 4)])
loss_cases('huber_delta', 'huberLoss', lambda: [R(3, 4, scale=2), R(3, 4)], {'delta': 2.0})
loss_cases('bce', 'binaryCrossEntropy', lambda: [U(0.05, 0.95, 3, 4), U(0, 1, 3, 4)])
loss_cases('bce_weight', 'binaryCrossEntropy', lambda: [U(0.05, 0.95, 3, 4), B(3, 4).float(), U(0.5, 2, 4)], {'w': 2}, nograd=[1, 2])
loss_cases('bceLogits', 'binaryCrossEntropyWithLogits', lambda: [R(3, 4, scale=2), U(0, 1, 3, 4)])
loss_cases('bceLogits_posWeight', 'binaryCrossEntropyWithLogits', lambda: [R(3, 4, scale=2), B(3, 4).float(), U(0.5, 3, 4)], {'pw': 2}, nograd=[1, 2])
loss_cases('bceLogits_weight_posWeight', 'binaryCrossEntropyWithLogits', lambda: [R(2, 3, scale=2), U(0, 1, 2, 3), U(0.5, 2, 2, 1), U(0.5, 3, 3)],
           {'w': 2, 'pw': 3}, nograd=[1, 2, 3])
loss_cases('ce', 'crossEntropy', lambda: [R(4, 5, scale=2), I(0, 5, 4)])
loss_cases('ce_weight', 'crossEntropy', lambda: [R(4, 5, scale=2), I(0, 5, 4), U(0.2, 2, 5)], {'w': 2}, nograd=[2])
loss_cases('ce_ignoreIndex', 'crossEntropy', lambda: [R(5, 3, scale=2), torch.tensor([0, 2, -1, 1, -1])], {'ignoreIndex': -1})
loss_cases('ce_weight_ignoreIndex', 'crossEntropy', lambda: [R(5, 3, scale=2), torch.tensor([0, 2, 1, 1, 2]), U(0.2, 2, 3)], {'w': 2, 'ignoreIndex': 1}, nograd=[2])
loss_cases('ce_labelSmoothing', 'crossEntropy', lambda: [R(4, 5, scale=2), I(0, 5, 4)], {'labelSmoothing': 0.1})
loss_cases('ce_labelSmoothing_weight', 'crossEntropy', lambda: [R(4, 5, scale=2), I(0, 5, 4), U(0.2, 2, 5)], {'w': 2, 'labelSmoothing': 0.2}, nograd=[2])
loss_cases('ce_probs', 'crossEntropy', lambda: [R(4, 5, scale=2), F.softmax(R(4, 5, scale=2), 1)])
loss_cases('ce_probs_labelSmoothing', 'crossEntropy', lambda: [R(4, 5, scale=2), F.softmax(R(4, 5, scale=2), 1)], {'labelSmoothing': 0.1})
loss_cases('ce_probs_weight', 'crossEntropy', lambda: [R(4, 5, scale=2), F.softmax(R(4, 5, scale=2), 1), U(0.2, 2, 5)], {'w': 2}, nograd=[2])
loss_cases('ce_seg4d', 'crossEntropy', lambda: [R(2, 3, 4, 4, scale=2), I(0, 3, 2, 4, 4)])
loss_cases('ce_seg4d_weight_ignore', 'crossEntropy',
           lambda: [R(2, 3, 3, 3, scale=2), torch.where(B(2, 3, 3, p=0.2), torch.tensor(255), I(0, 3, 2, 3, 3)), U(0.2, 2, 3)],
           {'w': 2, 'ignoreIndex': 255}, nograd=[2])
loss_cases('ce_seg4d_labelSmoothing', 'crossEntropy', lambda: [R(2, 3, 3, 3, scale=2), I(0, 3, 2, 3, 3)], {'labelSmoothing': 0.05})
loss_cases('ce_seg4d_probs', 'crossEntropy', lambda: [R(1, 3, 3, 3, scale=2), F.softmax(R(1, 3, 3, 3), 1)])
loss_cases('ce_unbatched', 'crossEntropy', lambda: [R(5, scale=2), torch.tensor(3)])
loss_cases('nll', 'nllLoss', lambda: [F.log_softmax(R(4, 5), 1), I(0, 5, 4)])
loss_cases('nll_weight', 'nllLoss', lambda: [F.log_softmax(R(4, 5), 1), I(0, 5, 4), U(0.2, 2, 5)], {'w': 2}, nograd=[2])
loss_cases('nll_ignoreIndex', 'nllLoss', lambda: [F.log_softmax(R(5, 3), 1), torch.tensor([0, -100, 2, 1, -100])])
loss_cases('nll_seg4d_weight', 'nllLoss', lambda: [F.log_softmax(R(2, 3, 3, 3), 1), I(0, 3, 2, 3, 3), U(0.2, 2, 3)], {'w': 2}, nograd=[2])
loss_cases('mse_f64', 'mseLoss', lambda: [R(3, 4, dtype=F64), R(3, 4, dtype=F64)])
loss_cases('ce_f64', 'crossEntropy', lambda: [R(4, 5, dtype=F64), I(0, 5, 4), U(0.2, 2, 5, dtype=F64)], {'w': 2, 'labelSmoothing': 0.1}, nograd=[2])
loss_cases('bceLogits_f64', 'binaryCrossEntropyWithLogits', lambda: [R(3, 4, dtype=F64), U(0, 1, 3, 4, dtype=F64)])


# ---------------------------------------------------------------- run and write

def enc(t):
    t = t.detach().contiguous()
    if t.dtype not in DTYPES:
        raise TypeError(f'unsupported dtype {t.dtype}')
    return {'shape': list(t.shape), 'dtype': DTYPES[t.dtype], 'data': base64.b64encode(t.numpy().tobytes()).decode('ascii')}


def run(c):
    stored = [enc(x) for x in c['inputs']]
    xs = [x.clone() for x in c['inputs']]
    for i, x in enumerate(xs):
        if c['grad'] and x.is_floating_point() and i not in c['nograd']:
            x.requires_grad_(True)
        stored[i]['grad'] = x.requires_grad
    out = OPS[c['op']](xs, c['args'])
    multi = isinstance(out, (tuple, list))
    outs = list(out) if multi else [out]
    rec = {'name': c['name'], 'op': c['op'], 'args': c['args'], 'inputs': stored, 'multi': multi, 'outputs': []}
    if c['tol']:
        rec['tol'] = c['tol']
    loss_terms = []
    for k, o in enumerate(outs):
        e = enc(o)
        if c['grad']:
            e['requiresGrad'] = o.requires_grad
        if c['grad'] and o.requires_grad:
            e['weighted'] = True
            loss_terms.append((o * weight_for(o, k)).sum())
        rec['outputs'].append(e)
    gin = [x for x in xs if x.requires_grad]
    if loss_terms and gin:
        L = sum(loss_terms)
        grads = torch.autograd.grad(L, gin, allow_unused=True)
        it = iter(grads)
        rec['grads'] = [None if not x.requires_grad else (lambda g: None if g is None else enc(g))(next(it)) for x in xs]
    return rec


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
    out_path = os.path.join(root, 'test', 'fixtures', 'ops.json')
    records = [run(c) for c in CASES]
    doc = {
        'generator': 'scripts/make_fixtures.py',
        'torch': torch.__version__,
        'weight': '((7*i + 3 + 5*k) % 11 - 5.5) / 4',
        'cases': records,
    }
    os.makedirs(os.path.dirname(out_path), exist_ok=True)
    with open(out_path, 'w') as f:
        json.dump(doc, f, separators=(',', ':'))
        f.write('\n')
    ops = sorted({r['op'] for r in records})
    n_grad = sum(1 for r in records if 'grads' in r)
    print(f'wrote {out_path}: {len(records)} cases, {n_grad} with gradients, {len(ops)} op keys, {os.path.getsize(out_path)} bytes', file=sys.stderr)


if __name__ == '__main__':
    main()
