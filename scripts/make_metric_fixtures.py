#!/usr/bin/env python3
"""Writes test/fixtures/metrics.json: reference values for src/train/metrics.ts, in plain PyTorch
(no sklearn, no torchvision, no torchmetrics).

Run from the repository root with the system Python that has torch:

    /usr/bin/python3 scripts/make_metric_fixtures.py

- Confusion matrices: torch.bincount(target * C + pred) over the non-ignored pixels (rows = true class).
- Per-class scores, with tunet's convention for undefined ratios:
    IoU tp/(tp+fp+fn), Dice 2tp/(2tp+fp+fn), precision tp/(tp+fp), recall tp/(tp+fn),
    specificity tn/(tn+fp); a class absent from both prediction and target has NaN IoU, Dice,
    precision and recall; a 0/0 precision or recall of a class present on one side only is 0;
    specificity is NaN only when it is 0/0 (no negative pixels).
  macro = nanmean over classes (optionally without class 0), micro = pooled counts.
- Binary metrics: foreground = sigmoid(x) > threshold (or x > threshold for probabilities).
- Top-k accuracy: target among torch.topk(logits, k, dim=1).indices.
- Box IoU: torchvision.ops.box_iou's formula (area, pairwise max/min corners, clamp, inter / union).

NaN is stored as null (JSON has no NaN). Tensors are base64 of their little-endian bytes, as in
test/fixtures/ops.json.
"""
import base64
import json
import os

import torch

torch.set_num_threads(1)
G = torch.Generator().manual_seed(4242)
F32, F64 = torch.float32, torch.float64
DT = {F32: 'float32', F64: 'float64', torch.int64: 'int64', torch.int32: 'int32', torch.uint8: 'uint8', torch.bool: 'bool'}


def enc(t):
    t = t.detach().contiguous()
    raw = (t.to(torch.uint8) if t.dtype == torch.bool else t).numpy().tobytes()
    return {'shape': list(t.shape), 'dtype': DT[t.dtype], 'data': base64.b64encode(raw).decode()}


def nums(t):
    """A tensor of floats as a list with None for NaN."""
    return [None if v != v else v for v in t.tolist()]


def nan(v):
    return None if v != v else v


def confusion(pred, target, C, ignore=None):
    t = target.reshape(-1).long()
    p = pred.reshape(-1).long()
    if ignore is not None:
        keep = t != ignore
        t, p = t[keep], p[keep]
    return torch.bincount(t * C + p, minlength=C * C).reshape(C, C)


def scores(cm, include_background=True):
    cm = cm.to(F64)
    tp = cm.diag()
    fp = cm.sum(0) - tp
    fn = cm.sum(1) - tp
    tn = cm.sum() - tp - fp - fn
    absent = (tp + fp + fn) == 0
    defs = {
        'iou': (tp, tp + fp + fn),
        'dice': (2 * tp, 2 * tp + fp + fn),
        'precision': (tp, tp + fp),
        'recall': (tp, tp + fn),
        'specificity': (tn, tn + fp),
    }
    start = 0 if include_background else 1
    out = {'pixelAccuracy': nan((tp.sum() / cm.sum()).item())}
    for name, (num, den) in defs.items():
        per = torch.where(den > 0, num / den.clamp(min=1e-300), torch.zeros_like(num))
        if name == 'specificity':
            per = torch.where(den > 0, per, torch.full_like(per, float('nan')))
        else:
            per = torch.where(absent, torch.full_like(per, float('nan')), per)
        sel = per[start:]
        macro = sel[~sel.isnan()].mean().item() if (~sel.isnan()).any() else float('nan')
        pooled = [x[start:].sum() for x in (tp, fp, fn, tn)]
        n, d = {'iou': lambda a, b, c, e: (a, a + b + c), 'dice': lambda a, b, c, e: (2 * a, 2 * a + b + c),
                'precision': lambda a, b, c, e: (a, a + b), 'recall': lambda a, b, c, e: (a, a + c),
                'specificity': lambda a, b, c, e: (e, e + b)}[name](*pooled)
        out[name] = {'perClass': nums(per), 'macro': nan(macro), 'micro': nan((n / d).item()) if d > 0 else None}
    return out


SEG = []


def seg_case(name, pred, target, C, ignore=None, include_background=True):
    p = pred.argmax(1) if pred.is_floating_point() else pred
    cm = confusion(p, target, C, ignore)
    SEG.append({'name': name, 'pred': enc(pred), 'target': enc(target), 'numClasses': C, 'ignoreIndex': ignore,
                'includeBackground': include_background, 'confusionMatrix': cm.tolist(), 'scores': scores(cm, include_background)})


seg_case('random 4 classes', torch.randint(0, 4, (2, 5, 6), generator=G), torch.randint(0, 4, (2, 5, 6), generator=G), 4)
t = torch.randint(0, 5, (3, 4, 4), generator=G)
t[torch.rand(t.shape, generator=G) < 0.25] = 255
seg_case('ignoreIndex 255, a class absent from both (class 5)', torch.randint(0, 5, (3, 4, 4), generator=G), t, 6, ignore=255)
seg_case('logits (N, C, H, W) by argmax, no background in means', torch.randn(2, 3, 5, 4, generator=G), torch.randint(0, 3, (2, 5, 4), generator=G), 3,
         include_background=False)
# class 1 predicted but never in the target (recall 0/0 -> 0), class 2 in the target but never predicted (precision 0/0 -> 0)
seg_case('one-sided classes', torch.tensor([[0, 1, 1, 0], [0, 0, 3, 3]]), torch.tensor([[0, 0, 2, 2], [0, 0, 3, 3]]), 4)
seg_case('uint8 class maps', torch.randint(0, 3, (4, 7), generator=G).to(torch.uint8), torch.randint(0, 3, (4, 7), generator=G).to(torch.uint8), 3)

BIN = []


def bin_case(name, x, target, threshold=0.5, from_logits=True, ignore=None):
    prob = torch.sigmoid(x) if from_logits else x
    p = (prob > threshold).long() if x.is_floating_point() else x.long()
    if p.dim() == target.dim() + 1:
        p = p[:, 0]
    t = target.long()
    keep = torch.ones_like(t, dtype=torch.bool) if ignore is None else t != ignore
    p, t = p[keep], t[keep]
    tp = int(((p == 1) & (t == 1)).sum()); fp = int(((p == 1) & (t == 0)).sum())
    fn = int(((p == 0) & (t == 1)).sum()); tn = int(((p == 0) & (t == 0)).sum())
    cm = torch.tensor([[tn, fp], [fn, tp]])
    s = scores(cm)
    BIN.append({'name': name, 'pred': enc(x), 'target': enc(target), 'threshold': threshold, 'fromLogits': from_logits, 'ignoreIndex': ignore,
                'expected': {'tp': tp, 'fp': fp, 'fn': fn, 'tn': tn, 'accuracy': (tp + tn) / (tp + fp + fn + tn),
                             **{k: s[k]['perClass'][1] for k in ('iou', 'dice', 'precision', 'recall', 'specificity')}}})


bin_case('logits (N, 1, H, W), float target', torch.randn(3, 1, 6, 5, generator=G, dtype=F64) * 2, (torch.rand(3, 6, 5, generator=G) < 0.4).to(F32))
bin_case('probabilities, threshold 0.3', torch.rand(4, 8, generator=G), (torch.rand(4, 8, generator=G) < 0.5).to(torch.uint8), threshold=0.3, from_logits=False)
bin_case('logits threshold 0.7, ignoreIndex 255', torch.randn(2, 6, 6, generator=G) * 2,
         torch.where(torch.rand(2, 6, 6, generator=G) < 0.2, 255, (torch.rand(2, 6, 6, generator=G) < 0.5).long()).to(torch.uint8),
         threshold=0.7, ignore=255)
bin_case('bool target, nothing predicted', torch.full((2, 3, 3), -5.0), torch.rand(2, 3, 3, generator=G) < 0.3)

TOPK = []
logits = torch.randn(12, 6, generator=G, dtype=F64)
target = torch.randint(0, 6, (12,), generator=G)
for k in (1, 2, 3, 6):
    hit = (torch.topk(logits, k, dim=1).indices == target[:, None]).any(1)
    TOPK.append({'k': k, 'value': hit.double().mean().item()})
logits2 = torch.randn(2, 4, 3, 3, generator=G)
target2 = torch.randint(0, 4, (2, 3, 3), generator=G)
TOPK2 = [{'k': k, 'value': (torch.topk(logits2, k, dim=1).indices == target2[:, None]).any(1).double().mean().item()} for k in (1, 2)]


def box_area(b):
    return (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])


def box_iou(a, b):
    """torchvision.ops.box_iou."""
    area1, area2 = box_area(a), box_area(b)
    lt = torch.max(a[:, None, :2], b[:, :2])
    rb = torch.min(a[:, None, 2:], b[:, 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[:, :, 0] * wh[:, :, 1]
    return inter / (area1[:, None] + area2 - inter)


def rand_boxes(n, dtype):
    xy = torch.rand(n, 2, generator=G, dtype=F64) * 10
    wh = torch.rand(n, 2, generator=G, dtype=F64) * 6
    return torch.cat([xy, xy + wh], 1).to(dtype)


BOX = []
for dtype in (F32, F64):
    a = rand_boxes(5, dtype)
    b = torch.cat([rand_boxes(6, dtype), a[:1], torch.tensor([[100, 100, 101, 102]], dtype=dtype)])  # an identical box, a far one
    a2 = a.clone().requires_grad_(True)
    out = box_iou(a2, b)
    i = torch.arange(out.numel(), dtype=F64)
    w = ((((i * 7 + 3) % 11) - 5.5) / 4).to(dtype).reshape(out.shape)
    (g,) = torch.autograd.grad((out * w).sum(), [a2])
    BOX.append({'a': enc(a), 'b': enc(b), 'iou': enc(out), 'gradA': enc(g)})
ai = torch.tensor([[0, 0, 4, 4], [2, 2, 6, 8]], dtype=torch.int64)
bi = torch.tensor([[1, 1, 3, 5], [4, 0, 9, 3], [0, 0, 4, 4]], dtype=torch.int64)
BOX.append({'a': enc(ai), 'b': enc(bi), 'iou': enc(box_iou(ai.float(), bi.float()))})

out = {'generator': 'scripts/make_metric_fixtures.py', 'torch': torch.__version__, 'segmentation': SEG, 'binary': BIN,
       'topk': {'logits': enc(logits), 'target': enc(target), 'cases': TOPK, 'logits2': enc(logits2), 'target2': enc(target2), 'cases2': TOPK2},
       'boxIou': BOX}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'metrics.json')
with open(path, 'w') as f:
    json.dump(out, f, indent=1, allow_nan=False)
    f.write('\n')
print(f'wrote {len(SEG)} segmentation, {len(BIN)} binary, {len(TOPK) + len(TOPK2)} top-k, {len(BOX)} box cases to {os.path.normpath(path)}')
