#!/usr/bin/env python3
"""Writes test/fixtures/optim.json: torch.optim and torch.nn.utils.clip_grad_* run on fixed data.

Run from the repository root with the system Python that has torch (1.13):

    /usr/bin/python3 scripts/make_optim_fixtures.py

Optimizer cases. The model has two parameters, a [3, 4] weight W and a [3] bias b, on a fixed batch
X [6, 4] with target Y [6, 3]:

    loss = mse_loss(tanh(linear(X, W, b)), Y)

Each case builds one optimizer (camelCase options, as tunet spells them; translated to torch's
keyword arguments below) and runs 20 steps of

    zero_grad(set_to_none=True); loss = f(); loss.backward(); step()

(or step(closure) where the case says so). It records the loss before every step, W and b after
steps 1, 5 and 20, and the optimizer's state after step 20 keyed as tunet's stateDict keys it:
parameter index, then the state name in camelCase (exp_avg -> expAvg). 'step' is stored as a number.

Clip-grad cases set fixed gradients on three tensors and record clip_grad_norm_'s total norm and
the clipped gradients, or clip_grad_value_'s clipped gradients.

All tensors are stored as {"shape": [...], "data": [flat values]} where each value is a float32
written as the double it equals exactly, so values round-trip without error.
"""
import json
import math
import os
import re

import torch
import torch.nn.functional as F

torch.set_num_threads(1)

STEPS = 20
RECORD_AT = [1, 5, 20]


def enc(t):
    t = t.detach().to(torch.float32).contiguous()
    return {'shape': list(t.shape), 'data': [float(v) for v in t.reshape(-1).tolist()]}


def camel(name):
    return re.sub(r'_([a-z])', lambda m: m.group(1).upper(), name)


def snake(name):
    return re.sub(r'([A-Z])', lambda m: '_' + m.group(1).lower(), name)


def torch_opts(opts):
    out = {}
    for k, v in opts.items():
        out[snake(k)] = tuple(v) if k == 'betas' else v
    return out


G = torch.Generator().manual_seed(1234)
W0 = (torch.randn(3, 4, generator=G) * 0.5).to(torch.float32)
B0 = (torch.randn(3, generator=G) * 0.1).to(torch.float32)
X = torch.randn(6, 4, generator=G).to(torch.float32)
Y = (torch.rand(6, 3, generator=G) * 1.6 - 0.8).to(torch.float32)

OPTIMIZERS = {
    'SGD': torch.optim.SGD,
    'Adagrad': torch.optim.Adagrad,
    'RMSprop': torch.optim.RMSprop,
    'Adam': torch.optim.Adam,
    'AdamW': torch.optim.AdamW,
    'Adadelta': torch.optim.Adadelta,
}

# name, optimizer, default options, groups (None: one group with W and b; else a list of
# {'params': [indices], **options}), extra flags
CASES = [
    ('sgd_plain', 'SGD', {'lr': 0.1}, None, {}),
    ('sgd_momentum', 'SGD', {'lr': 0.1, 'momentum': 0.9}, None, {}),
    ('sgd_dampening_wd', 'SGD', {'lr': 0.05, 'momentum': 0.9, 'dampening': 0.3, 'weightDecay': 0.01}, None, {}),
    ('sgd_nesterov', 'SGD', {'lr': 0.05, 'momentum': 0.8, 'nesterov': True, 'weightDecay': 0.05}, None, {}),
    ('sgd_maximize', 'SGD', {'lr': 0.05, 'momentum': 0.5, 'maximize': True}, None, {}),
    ('sgd_groups', 'SGD', {'lr': 0.1, 'momentum': 0.9},
     [{'params': [0]}, {'params': [1], 'lr': 0.01, 'weightDecay': 0.1}], {}),
    ('sgd_closure', 'SGD', {'lr': 0.2, 'momentum': 0.3}, None, {'closure': True}),

    ('adagrad_default', 'Adagrad', {'lr': 0.1}, None, {}),
    ('adagrad_all', 'Adagrad',
     {'lr': 0.1, 'lrDecay': 0.05, 'weightDecay': 0.02, 'initialAccumulatorValue': 0.5, 'eps': 1e-6}, None, {}),
    ('adagrad_maximize', 'Adagrad', {'lr': 0.05, 'maximize': True}, None, {}),
    ('adagrad_groups', 'Adagrad', {'lr': 0.1},
     [{'params': [1], 'lr': 0.3, 'lrDecay': 0.1}, {'params': [0], 'weightDecay': 0.05}], {}),

    ('rmsprop_default', 'RMSprop', {'lr': 0.01}, None, {}),
    ('rmsprop_alpha_eps_wd', 'RMSprop', {'lr': 0.01, 'alpha': 0.9, 'eps': 1e-4, 'weightDecay': 0.05}, None, {}),
    ('rmsprop_momentum', 'RMSprop', {'lr': 0.01, 'momentum': 0.9}, None, {}),
    ('rmsprop_centered', 'RMSprop', {'lr': 0.01, 'centered': True}, None, {}),
    ('rmsprop_centered_momentum_max', 'RMSprop',
     {'lr': 0.005, 'centered': True, 'momentum': 0.5, 'weightDecay': 0.01, 'maximize': True}, None, {}),

    ('adam_default', 'Adam', {'lr': 0.01}, None, {}),
    ('adam_betas_eps', 'Adam', {'lr': 0.02, 'betas': [0.8, 0.9], 'eps': 1e-6}, None, {}),
    ('adam_wd', 'Adam', {'lr': 0.01, 'weightDecay': 0.1}, None, {}),
    ('adam_amsgrad', 'Adam', {'lr': 0.01, 'amsgrad': True, 'betas': [0.9, 0.6]}, None, {}),
    ('adam_maximize', 'Adam', {'lr': 0.01, 'maximize': True}, None, {}),
    ('adam_groups', 'Adam', {'lr': 0.01},
     [{'params': [0], 'lr': 0.02}, {'params': [1], 'weightDecay': 0.05, 'betas': [0.5, 0.6]}], {}),
    ('adam_frozen_bias', 'Adam', {'lr': 0.03}, None, {'frozenBias': True}),
    ('adam_closure', 'Adam', {'lr': 0.05, 'amsgrad': True, 'weightDecay': 0.01}, None, {'closure': True}),

    ('adamw_default', 'AdamW', {'lr': 0.01}, None, {}),
    ('adamw_wd', 'AdamW', {'lr': 0.01, 'weightDecay': 0.1}, None, {}),
    ('adamw_amsgrad', 'AdamW', {'lr': 0.01, 'weightDecay': 0.05, 'amsgrad': True, 'betas': [0.85, 0.95], 'eps': 1e-7},
     None, {}),
    ('adamw_maximize', 'AdamW', {'lr': 0.01, 'maximize': True}, None, {}),
    ('adamw_groups', 'AdamW', {'lr': 0.01, 'weightDecay': 0.2},
     [{'params': [0]}, {'params': [1], 'lr': 0.05, 'weightDecay': 0}], {}),

    ('adadelta_default', 'Adadelta', {}, None, {}),
    ('adadelta_all', 'Adadelta', {'lr': 0.5, 'rho': 0.8, 'eps': 1e-5, 'weightDecay': 0.05}, None, {}),
    ('adadelta_maximize', 'Adadelta', {'lr': 1.0, 'maximize': True}, None, {}),
]


def run_case(name, opt_name, opts, groups, flags):
    W = W0.clone().requires_grad_(True)
    b = B0.clone().requires_grad_(not flags.get('frozenBias', False))
    params = [W, b]
    if groups is None:
        arg = params
    else:
        arg = [dict(torch_opts({k: v for k, v in g.items() if k != 'params'}), params=[params[i] for i in g['params']])
               for g in groups]
    opt = OPTIMIZERS[opt_name](arg, **torch_opts(opts))

    def closure():
        opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(torch.tanh(F.linear(X, W, b)), Y)
        loss.backward()
        return loss

    losses = []
    snapshots = {}
    for s in range(1, STEPS + 1):
        if flags.get('closure'):
            loss = opt.step(closure)
        else:
            loss = closure()
            opt.step()
        losses.append(float(loss.item()))
        if s in RECORD_AT:
            snapshots[str(s)] = [enc(W), enc(b)]

    sd = opt.state_dict()
    state = {}
    for idx, st in sd['state'].items():
        entry = {}
        for k, v in st.items():
            if v is None:
                continue  # SGD stores momentum_buffer=None when momentum is 0; tunet stores nothing
            if k == 'step':
                entry[k] = float(v.item()) if torch.is_tensor(v) else float(v)
            else:
                entry[camel(k)] = enc(v)
        state[str(idx)] = entry
    return {
        'name': name,
        'optimizer': opt_name,
        'options': opts,
        'groups': groups,
        'closure': bool(flags.get('closure', False)),
        'frozenBias': bool(flags.get('frozenBias', False)),
        'losses': losses,
        'params': snapshots,
        'state': state,
    }


def grads_fixture():
    g = torch.Generator().manual_seed(99)
    return [
        (torch.randn(3, 4, generator=g) * 2).to(torch.float32),
        (torch.randn(5, generator=g)).to(torch.float32),
        (torch.randn(2, 2, 2, generator=g) * 0.5).to(torch.float32),
    ]


GRADS = grads_fixture()


def clip_cases():
    out = []
    norm_cases = [
        ('norm2_clips', 1.0, 2.0, [True, True, True]),
        ('norm2_no_clip', 100.0, 2.0, [True, True, True]),
        ('norm1', 2.5, 1.0, [True, True, True]),
        ('norm3', 0.7, 3.0, [True, True, True]),
        ('norm_inf', 1.5, math.inf, [True, True, True]),
        ('norm_inf_one_grad', 0.5, math.inf, [False, True, False]),
        ('norm2_missing_grad', 0.8, 2.0, [True, False, True]),
        ('norm_half', 3.0, 0.5, [True, True, True]),
    ]
    for name, max_norm, norm_type, has in norm_cases:
        ps = []
        for gt, h in zip(GRADS, has):
            p = torch.zeros_like(gt, requires_grad=True)
            if h:
                p.grad = gt.clone()
            ps.append(p)
        total = torch.nn.utils.clip_grad_norm_(ps, max_norm, norm_type)
        out.append({
            'name': name, 'kind': 'norm', 'maxNorm': max_norm,
            'normType': 'inf' if norm_type == math.inf else norm_type,
            'hasGrad': has, 'total': float(total.item()),
            'grads': [enc(p.grad) if p.grad is not None else None for p in ps],
        })
    for name, clip in [('value_0_5', 0.5), ('value_2', 2.0), ('value_0', 0.0)]:
        ps = []
        for gt in GRADS:
            p = torch.zeros_like(gt, requires_grad=True)
            p.grad = gt.clone()
            ps.append(p)
        torch.nn.utils.clip_grad_value_(ps, clip)
        out.append({'name': name, 'kind': 'value', 'clipValue': clip, 'hasGrad': [True] * 3,
                    'grads': [enc(p.grad) for p in ps]})
    return out


def main():
    fixture = {
        'generator': 'scripts/make_optim_fixtures.py',
        'torch': torch.__version__,
        'steps': STEPS,
        'recordAt': RECORD_AT,
        'model': {'W': enc(W0), 'b': enc(B0), 'X': enc(X), 'Y': enc(Y)},
        'cases': [run_case(*c) for c in CASES],
        'clipGrads': [enc(g) for g in GRADS],
        'clip': clip_cases(),
    }
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(root, 'test', 'fixtures', 'optim.json')
    with open(path, 'w') as f:
        json.dump(fixture, f, separators=(',', ':'))
        f.write('\n')
    print(f'wrote {path}: {len(fixture["cases"])} optimizer cases, {len(fixture["clip"])} clip cases')


if __name__ == '__main__':
    main()
