#!/usr/bin/env python3
"""Writes test/fixtures/seg_loss.json: reference values of tunet's segmentation losses
(src/nn/functional/segmentation.ts), computed in plain PyTorch.

Run from the repository root with the system Python that has torch:

    /usr/bin/python3 scripts/make_seg_loss_fixtures.py

The references are written out here rather than imported:
- nnu_soft_dice / nnu_tp_fp_fn: nnU-Net v2's SoftDiceLoss and get_tp_fp_fn_tn
  (nnunetv2/training/loss/dice.py) re-implemented with the same semantics: optional nonlinearity,
  label map (b, 1, ...) or (b, ...) one-hot encoded by scatter, or a target already one-hot; tp, fp, fn
  multiplied by the loss mask; sums over the spatial axes (plus the batch axis with batch_dice);
  dc = (2tp + smooth) / clip(2tp + fp + fn + smooth, 1e-8); background dropped after the division
  when do_bg is False; the loss is -mean(dc). (ddp and clip_tp are left out: they are off.)
  tunet's diceLoss is 1 + that (reduction 'mean'), i.e. 1 - dc per (sample, class).
- nnu_dc_and_ce / nnu_dc_and_bce: nnU-Net's DC_and_CE_loss (ignore label: dice with a loss mask on a
  target whose ignored pixels are set to 0, cross-entropy with ignore_index, CE = 0 when nothing is
  left) and DC_and_BCE_loss (BCE-with-logits, masked mean sum(bce * mask) / clip(sum(mask), 1e-8)).
  tunet adds weight_dice (it uses 1 - dc where nnU-Net uses -dc).
- sigmoid_focal: torchvision.ops.sigmoid_focal_loss's formula (torchvision is not installed here).
- softmax_focal: -alpha_t (1 - p_t)^gamma log p_t.
- tversky: 1 - (tp + s/2) / (tp + a fp + b fn + s/2) with nnU-Net's tp/fp/fn.

Every case stores its inputs (base64 of little-endian bytes, as test/fixtures/ops.json), the options
as tunet takes them, the loss and the gradient with respect to the input of
L = sum(loss * w), w[i] = ((7 i + 3) % 11 - 5.5) / 4 (test/helpers/fixtures.ts: gradWeight, k = 0).
"""
import base64
import json
import os

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
G = torch.Generator().manual_seed(20240917)
F32 = torch.float32
F64 = torch.float64
DT = {F32: 'float32', F64: 'float64', torch.int64: 'int64', torch.uint8: 'uint8', torch.bool: 'bool'}


def enc(t):
    t = t.detach().contiguous()
    if t.dtype == torch.bool:
        raw = t.to(torch.uint8).numpy().tobytes()
    else:
        raw = t.numpy().tobytes()
    return {'shape': list(t.shape), 'dtype': DT[t.dtype], 'data': base64.b64encode(raw).decode()}


def weight_for(t):
    i = torch.arange(t.numel(), dtype=F64)
    return ((((i * 7 + 3) % 11) - 5.5) / 4).to(t.dtype).reshape(t.shape)


def R(*shape, scale=2.0, dtype=F64):
    return (torch.randn(shape, generator=G, dtype=F64) * scale).to(dtype)


def labels(c, *shape, dtype=torch.int64):
    return torch.randint(0, c, shape, generator=G).to(dtype)


def mask01(*shape, p=0.4, dtype=F64):
    return (torch.rand(shape, generator=G) < p).to(dtype)


def with_ignored(t, value, p=0.2):
    t = t.clone()
    t[torch.rand(t.shape, generator=G) < p] = value
    return t


# ---------------------------------------------------------------- nnU-Net references

def nnu_tp_fp_fn(net_output, gt, axes, mask):
    """nnU-Net's get_tp_fp_fn_tn (square=False), tn left out."""
    shp_x = net_output.shape
    with torch.no_grad():
        if gt.dim() != net_output.dim():
            gt = gt.view((gt.shape[0], 1, *gt.shape[1:]))
        if tuple(gt.shape) == tuple(shp_x):
            y_onehot = gt  # already one-hot (or 0/1 regions)
        else:
            y_onehot = torch.zeros(shp_x, dtype=net_output.dtype)
            y_onehot.scatter_(1, gt.long(), 1)
    tp = net_output * y_onehot
    fp = net_output * (1 - y_onehot)
    fn = (1 - net_output) * y_onehot
    if mask is not None:
        # nnU-Net tiles a (b, 1, ...) mask over the channels; broadcasting does the same, and also takes
        # the elementwise (b, c, ...) mask of tunet's multilabel ignoreIndex.
        tp, fp, fn = tp * mask, fp * mask, fn * mask
    if len(axes) > 0:
        tp, fp, fn = tp.sum(dim=axes), fp.sum(dim=axes), fn.sum(dim=axes)
    return tp, fp, fn


def nnu_dc(x, y, apply_nonlin=None, batch_dice=False, do_bg=True, smooth=1e-5, loss_mask=None):
    """The dc tensor of nnU-Net's SoftDiceLoss.forward before its mean: (b, c) or (c,) with batch_dice."""
    axes = ([0] if batch_dice else []) + list(range(2, x.dim()))
    if apply_nonlin is not None:
        x = apply_nonlin(x)
    tp, fp, fn = nnu_tp_fp_fn(x, y, axes, loss_mask)
    dc = (2 * tp + smooth) / torch.clip(2 * tp + fp + fn + smooth, 1e-8)
    if not do_bg:
        dc = dc[1:] if batch_dice else dc[:, 1:]
    return dc


def nnu_soft_dice(x, y, **kw):
    """nnU-Net's SoftDiceLoss: -mean(dc)."""
    return -nnu_dc(x, y, **kw).mean()


def nnu_dc_and_ce(x, y, soft_dice_kwargs, ce_kwargs, weight_ce=1, weight_dice=1, ignore_label=None):
    """nnU-Net's DC_and_CE_loss; y is (b, 1, ...)."""
    if ignore_label is not None:
        ce_kwargs = dict(ce_kwargs, ignore_index=ignore_label)
        mask = (y != ignore_label).to(x.dtype)
        y_dice = y.clone()
        y_dice[y == ignore_label] = 0
        num_fg = mask.sum()
    else:
        y_dice, mask = y, None
    dc = nnu_soft_dice(x, y_dice, apply_nonlin=lambda t: torch.softmax(t, 1), loss_mask=mask, **soft_dice_kwargs) if weight_dice != 0 else 0
    ce = F.cross_entropy(x, y[:, 0].long(), **ce_kwargs) if weight_ce != 0 and (ignore_label is None or num_fg > 0) else 0
    return weight_ce * ce + weight_dice * dc


def nnu_dc_and_bce(x, y, mask, soft_dice_kwargs, pos_weight=None, weight_ce=1, weight_dice=1):
    """nnU-Net's DC_and_BCE_loss with the loss mask given directly (nnU-Net reads it from the last channel)."""
    dc = nnu_soft_dice(x, y, apply_nonlin=torch.sigmoid, loss_mask=mask, **soft_dice_kwargs)
    if mask is None:
        ce = F.binary_cross_entropy_with_logits(x, y, pos_weight=pos_weight)
    else:
        ce = F.binary_cross_entropy_with_logits(x, y, pos_weight=pos_weight, reduction='none')
        ce = (ce * mask).sum() / torch.clip(mask.sum(), 1e-8)
    return weight_ce * ce + weight_dice * dc


# ---------------------------------------------------------------- other references

def sigmoid_focal(inputs, targets, alpha=0.25, gamma=2.0, reduction='none'):
    """torchvision.ops.sigmoid_focal_loss (alpha may be a tensor broadcast against the inputs here)."""
    p = torch.sigmoid(inputs)
    ce = F.binary_cross_entropy_with_logits(inputs, targets, reduction='none')
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce * ((1 - p_t) ** gamma)
    if alpha is not None and (torch.is_tensor(alpha) or alpha >= 0):
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    if reduction == 'mean':
        return loss.mean()
    if reduction == 'sum':
        return loss.sum()
    return loss


def softmax_focal(x, y, alpha=None, gamma=2.0, ignore_index=None, reduction='mean'):
    """-alpha_t (1 - p_t)^gamma log p_t per pixel; y: (b, ...) class indices."""
    valid = torch.ones_like(y, dtype=torch.bool) if ignore_index is None else (y != ignore_index)
    ys = torch.where(valid, y, torch.zeros_like(y))
    logpt = torch.log_softmax(x, 1).gather(1, ys.unsqueeze(1)).squeeze(1)
    loss = -((1 - logpt.exp()) ** gamma) * logpt
    if isinstance(alpha, (list, tuple)):
        loss = loss * torch.tensor(alpha, dtype=x.dtype)[ys]
    elif alpha is not None:
        loss = loss * alpha
    loss = loss * valid.to(x.dtype)
    if reduction == 'none':
        return loss
    if reduction == 'sum':
        return loss.sum()
    return loss.sum() / valid.sum().clamp(min=1)


def tversky_loss(x, y, nonlin, alpha, beta, smooth, batch_dice=False, do_bg=True, mask=None, reduction='mean'):
    axes = ([0] if batch_dice else []) + list(range(2, x.dim()))
    tp, fp, fn = nnu_tp_fp_fn(nonlin(x), y, axes, mask)
    ti = (tp + smooth / 2) / torch.clip(tp + alpha * fp + beta * fn + smooth / 2, 5e-9)
    if not do_bg:
        ti = ti[1:] if batch_dice else ti[:, 1:]
    return reduce(1 - ti, reduction)


def reduce(t, reduction):
    return t.mean() if reduction == 'mean' else t.sum() if reduction == 'sum' else t


softmax1 = lambda t: torch.softmax(t, 1)  # noqa: E731


def as_one_channel(x, t):
    """Binary mode with logits and target of the same shape (no channel dim): one channel per sample."""
    if mode_is_flat(x, t):
        return x.reshape(x.shape[0], 1, -1), t.reshape(t.shape[0], 1, -1)
    return x, t


def mode_is_flat(x, t):
    return tuple(x.shape) == tuple(t.shape) and (x.dim() < 2 or x.shape[1] != 1)


def dice_ref(x, t, mode, o):
    """tunet's diceLoss in nnU-Net terms."""
    if mode == 'binary':
        x, t = as_one_channel(x, t)
    smooth = o.get('smooth', 1e-5)
    kw = dict(batch_dice=o.get('batchDice', False), do_bg=o.get('includeBackground', True), smooth=smooth)
    nonlin = None if o.get('fromLogits', True) is False else (softmax1 if mode == 'multiclass' else torch.sigmoid)
    ign = o.get('ignoreIndex')
    y, mask = nnu_target(x, t, mode, ign)
    return reduce(1 - nnu_dc(x, y, apply_nonlin=nonlin, loss_mask=mask, **kw), o.get('reduction', 'mean'))


def nnu_target(x, t, mode, ign):
    """The target and loss mask nnU-Net would get for tunet's (x, t, mode, ignoreIndex)."""
    if mode == 'multiclass':
        if t.is_floating_point():
            return t, None
        y = t if t.dim() == x.dim() else t.unsqueeze(1)
        if ign is None:
            return y, None
        mask = (y != ign).to(x.dtype)
        y = y.clone()
        y[y == ign] = 0
        return y, mask
    y = t if t.dim() == x.dim() else t.unsqueeze(1)
    if ign is None:
        return y.to(x.dtype), None
    mask = (y != ign).to(x.dtype)
    return torch.where(y == ign, torch.zeros_like(y), y).to(x.dtype), mask


# ---------------------------------------------------------------- cases

CASES = []


def case(name, fn, x, t, opts, ref, extra=None, tol=None):
    x = x.detach().clone().requires_grad_(True)
    out = ref(x)
    w = weight_for(out)
    (g,) = torch.autograd.grad((out * w).sum(), [x])
    c = {'name': name, 'fn': fn, 'opts': opts, 'input': enc(x), 'target': enc(t), 'output': enc(out), 'grad': enc(g)}
    if extra is not None:
        c['extra'] = {k: enc(v) for k, v in extra.items()}
    if tol is not None:
        c['tol'] = tol
    CASES.append(c)


def dice_case(name, x, t, opts):
    case(name, 'diceLoss', x, t, opts, lambda xx: dice_ref(xx, t, opts.get('mode', 'multiclass'), opts),
         tol={'rtol': 1e-4, 'atol': 1e-6} if x.dtype == F32 else None)


# diceLoss: multiclass
x = R(2, 3, 4, 5); t = labels(3, 2, 4, 5)
dice_case('dice multiclass default', x, t, {})
dice_case('dice multiclass batchDice, no background', x, t, {'batchDice': True, 'includeBackground': False})
dice_case('dice multiclass reduction none', x, t, {'reduction': 'none'})
dice_case('dice multiclass reduction sum, smooth 1', x, t, {'reduction': 'sum', 'smooth': 1})
dice_case('dice multiclass (N,1,H,W) target, ignoreIndex 255', x, with_ignored(t, 255).unsqueeze(1), {'ignoreIndex': 255})
dice_case('dice multiclass ignoreIndex -1, batchDice, reduction none', x, with_ignored(t, -1), {'ignoreIndex': -1, 'batchDice': True, 'reduction': 'none'})
dice_case('dice multiclass one-hot float target', x, F.one_hot(t, 3).permute(0, 3, 1, 2).to(F64), {'mode': 'multiclass'})
dice_case('dice multiclass probabilities (fromLogits false)', torch.softmax(R(2, 3, 4, 5), 1), t, {'fromLogits': False})
dice_case('dice multiclass uint8 target, a class absent', x, labels(2, 2, 4, 5, dtype=torch.uint8), {})
dice_case('dice multiclass 3-d volume', R(2, 4, 3, 4, 3), labels(4, 2, 3, 4, 3), {'includeBackground': False})
dice_case('dice multiclass float32', R(2, 3, 6, 5, dtype=F32), labels(3, 2, 6, 5), {})
# binary
xb = R(3, 1, 5, 4); tb = mask01(3, 5, 4)
dice_case('dice binary (N,1,H,W) logits, (N,H,W) target', xb, tb, {'mode': 'binary'})
dice_case('dice binary same shape, uint8 target, batchDice', R(3, 6, 6), mask01(3, 6, 6, dtype=torch.uint8), {'mode': 'binary', 'batchDice': True})
dice_case('dice binary bool target, reduction none', xb, mask01(3, 1, 5, 4, dtype=torch.bool), {'mode': 'binary', 'reduction': 'none'})
dice_case('dice binary ignoreIndex 255', xb, with_ignored(mask01(3, 5, 4, dtype=torch.uint8), 255), {'mode': 'binary', 'ignoreIndex': 255})
dice_case('dice binary soft labels', xb, torch.rand(3, 1, 5, 4, generator=G, dtype=F64), {'mode': 'binary', 'smooth': 0.5})
# multilabel
xm = R(2, 3, 5, 4); tm = mask01(2, 3, 5, 4)
dice_case('dice multilabel', xm, tm, {'mode': 'multilabel'})
dice_case('dice multilabel no background, smooth 1', xm, tm, {'mode': 'multilabel', 'includeBackground': False, 'smooth': 1})
dice_case('dice multilabel ignoreIndex 255, batchDice', xm, with_ignored(tm, 255), {'mode': 'multilabel', 'ignoreIndex': 255, 'batchDice': True})


# tverskyLoss
def tv_case(name, x, t, opts):
    mode = opts.get('mode', 'multiclass')
    nonlin = softmax1 if mode == 'multiclass' else torch.sigmoid

    def ref(xx):
        tt = t
        if mode == 'binary':
            xx, tt = as_one_channel(xx, t)
        y, mask = nnu_target(xx, tt, mode, opts.get('ignoreIndex'))
        return tversky_loss(xx, y, nonlin, opts.get('alpha', 0.5), opts.get('beta', 0.5), opts.get('smooth', 1e-5),
                            opts.get('batchDice', False), opts.get('includeBackground', True), mask, opts.get('reduction', 'mean'))
    case(name, 'tverskyLoss', x, t, opts, ref)


tv_case('tversky multiclass alpha 0.7 beta 0.3', x, t, {'alpha': 0.7, 'beta': 0.3})
tv_case('tversky binary alpha 0.3 beta 0.7 smooth 1 batchDice', xb, tb, {'mode': 'binary', 'alpha': 0.3, 'beta': 0.7, 'smooth': 1, 'batchDice': True})
tv_case('tversky multilabel sum, no background', xm, tm, {'mode': 'multilabel', 'alpha': 0.2, 'beta': 0.8, 'reduction': 'sum', 'includeBackground': False})
tv_case('tversky multiclass ignoreIndex, reduction none', x, with_ignored(t, 255), {'alpha': 0.6, 'beta': 0.4, 'ignoreIndex': 255, 'reduction': 'none'})


# diceCELoss
def dce_case(name, x, t, opts, extra=None):
    mode = opts.get('mode', 'multiclass')
    wd, wc = opts.get('weightDice', 1), opts.get('weightCE', 1)
    sd = dict(batch_dice=opts.get('batchDice', False), do_bg=opts.get('includeBackground', True), smooth=opts.get('smooth', 1e-5))
    ign = opts.get('ignoreIndex')

    def ref(xx):
        if mode == 'multiclass':
            ce_kwargs = {}
            if extra and 'weight' in extra:
                ce_kwargs['weight'] = extra['weight']
            if 'labelSmoothing' in opts:
                ce_kwargs['label_smoothing'] = opts['labelSmoothing']
            y = t if t.dim() == xx.dim() else t.unsqueeze(1)
            return nnu_dc_and_ce(xx, y, sd, ce_kwargs, weight_ce=wc, weight_dice=wd, ignore_label=ign) + wd
        y, mask = nnu_target(xx, t, mode, ign)
        pw = None
        if extra and 'posWeight' in extra:
            pw = extra['posWeight'].reshape(-1, *([1] * (xx.dim() - 2)))
        elif 'posWeight' in opts:
            pw = torch.tensor([opts['posWeight']], dtype=xx.dtype)
        return nnu_dc_and_bce(xx, y, mask, sd, pos_weight=pw, weight_ce=wc, weight_dice=wd) + wd
    case(name, 'diceCELoss', x, t, opts, ref, extra)


dce_case('diceCE multiclass default', x, t, {})
dce_case('diceCE multiclass weights, labelSmoothing, ignoreIndex, batchDice, no bg', x, with_ignored(t, 255),
         {'weightDice': 0.5, 'weightCE': 2, 'labelSmoothing': 0.1, 'ignoreIndex': 255, 'batchDice': True, 'includeBackground': False},
         extra={'weight': torch.tensor([0.2, 1.0, 3.0], dtype=F64)})
dce_case('diceCE multiclass all pixels ignored (CE term 0)', x, torch.full((2, 4, 5), 255, dtype=torch.int64), {'ignoreIndex': 255})
dce_case('diceCE multiclass CE only', x, t, {'weightDice': 0})
dce_case('diceCE binary posWeight 2', xb, tb, {'mode': 'binary', 'posWeight': 2.0})
dce_case('diceCE multilabel posWeight per channel, ignoreIndex', xm, with_ignored(tm, 255), {'mode': 'multilabel', 'ignoreIndex': 255},
         extra={'posWeight': torch.tensor([0.5, 1.0, 4.0], dtype=F64)})


# focalLoss
def fo_case(name, x, t, opts):
    mode = opts.get('mode', 'multiclass')
    red = opts.get('reduction', 'mean')
    gamma = opts.get('gamma', 2.0)

    def ref(xx):
        if mode == 'multiclass':
            return softmax_focal(xx, t.long(), opts.get('alpha'), gamma, opts.get('ignoreIndex'), red)
        alpha = opts.get('alpha', 0.25)
        if isinstance(alpha, list):
            alpha = torch.tensor(alpha, dtype=xx.dtype).reshape(-1, *([1] * (xx.dim() - 2)))
        ign = opts.get('ignoreIndex')
        y = t.to(xx.dtype)
        if ign is None:
            return sigmoid_focal(xx, y, alpha, gamma, red)
        valid = (t != ign).to(xx.dtype)
        loss = sigmoid_focal(xx, y * valid, alpha, gamma, 'none') * valid
        return loss if red == 'none' else loss.sum() if red == 'sum' else loss.sum() / valid.sum()
    case(name, 'focalLoss', x, t, opts, ref)


fo_case('focal binary default', R(3, 1, 5, 4), mask01(3, 1, 5, 4), {'mode': 'binary'})
fo_case('focal binary alpha off, gamma 1.5, none', R(4, 7), mask01(4, 7), {'mode': 'binary', 'alpha': -1, 'gamma': 1.5, 'reduction': 'none'})
fo_case('focal binary ignoreIndex 255', R(3, 1, 5, 4), with_ignored(mask01(3, 1, 5, 4, dtype=torch.uint8), 255), {'mode': 'binary', 'ignoreIndex': 255})
fo_case('focal multilabel per-channel alpha, sum', xm, tm, {'mode': 'multilabel', 'alpha': [0.25, 0.5, 0.75], 'reduction': 'sum'})
fo_case('focal multiclass default', x, t, {})
fo_case('focal multiclass alpha per class, ignoreIndex', x, with_ignored(t, 255), {'alpha': [0.2, 0.3, 0.5], 'ignoreIndex': 255, 'gamma': 1})
fo_case('focal multiclass alpha 0.25, none', x, t, {'alpha': 0.25, 'reduction': 'none'})

# ---------------------------------------------------------------- self-checks of the references

# Tversky with alpha = beta = 0.5 is nnU-Net's soft Dice (the halved smooth makes it exact).
for s in (1e-5, 1.0):
    a = tversky_loss(x, t.unsqueeze(1), softmax1, 0.5, 0.5, s)
    b = 1 + nnu_soft_dice(x, t.unsqueeze(1), apply_nonlin=softmax1, smooth=s)
    assert torch.allclose(a, b, rtol=1e-12, atol=1e-14), (a, b)
# With smooth = 0 it is the textbook TP / (TP + a FP + b FN).
p = torch.softmax(x, 1)
oh = F.one_hot(t, 3).permute(0, 3, 1, 2).to(F64)
TP, FP, FN = (p * oh).sum((2, 3)), (p * (1 - oh)).sum((2, 3)), ((1 - p) * oh).sum((2, 3))
assert torch.allclose(tversky_loss(x, t.unsqueeze(1), softmax1, 0.7, 0.3, 0.0), (1 - TP / (TP + 0.7 * FP + 0.3 * FN)).mean())
# Softmax focal with gamma 0 and no alpha is cross-entropy; sigmoid focal with gamma 0, no alpha is BCE.
assert torch.allclose(softmax_focal(x, t, None, 0.0), F.cross_entropy(x, t))
assert torch.allclose(sigmoid_focal(xb, tb.unsqueeze(1), -1, 0.0, 'mean'), F.binary_cross_entropy_with_logits(xb, tb.unsqueeze(1)))
# DC_and_CE with weight_dice 0 is cross-entropy.
assert torch.allclose(nnu_dc_and_ce(x, t.unsqueeze(1), {}, {}, weight_dice=0), F.cross_entropy(x, t))

out = {
    'generator': 'scripts/make_seg_loss_fixtures.py',
    'torch': torch.__version__,
    'weight': 'L = sum(loss * w), w[i] = ((7 i + 3) % 11 - 5.5) / 4',
    'cases': CASES,
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'seg_loss.json')
with open(path, 'w') as f:
    json.dump(out, f, indent=1)
    f.write('\n')
print(f'wrote {len(CASES)} cases to {os.path.normpath(path)}')
