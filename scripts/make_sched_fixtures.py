#!/usr/bin/env python3
"""Writes test/fixtures/lr_scheduler.json: learning-rate schedules of torch.optim.lr_scheduler.

Run from the repository root with the system Python that has torch (PyTorch 1.13):

    /usr/bin/python3 scripts/make_sched_fixtures.py

Each case names a scheduler of tunet (src/optim/lr_scheduler.ts), its options in tunet's camelCase
spelling (translated to PyTorch's keyword arguments below), the param groups of the optimizer
(SGD, or Adam for 'betas') and then either

  - steps: the number of plain step() calls, or
  - epochs: the argument of each step(epoch) call (null: a plain step()), or
  - metrics: the metric of each ReduceLROnPlateau.step(metric) call.

It records `lrs`, the lr of every param group right after construction and after every step
(steps + 1 rows), and for OneCycleLR with cycled momentum `momentum` (SGD momentum or Adam
betas[0]) in the same way. LambdaLR and MultiplicativeLR name their functions; test/lr_scheduler.test.ts
has the same functions under the same names.

The nnU-Net poly case also stores `nnunet`: initial_lr * (1 - epoch / max_epochs) ** 0.9 for epoch
0..max_epochs, nnU-Net's formula, to check that PolynomialLR(total_iters=max_epochs, power=0.9) is it.
"""
import json
import math
import os
import warnings

import torch
from torch.optim import SGD, Adam
from torch.optim import lr_scheduler as S

warnings.simplefilter('ignore')

LAMBDAS = {
    'pow095': lambda e: 0.95 ** e,
    'stepDiv': lambda e: 1.0 / (1 + e // 10),
    'warmup10': lambda e: min(1.0, (e + 1) / 10),
    'mul095': lambda e: 0.95,
    'mulAlt': lambda e: 0.9 if e % 3 == 0 else 1.02,
}

# tunet option -> PyTorch keyword
KW = {
    'stepSize': 'step_size', 'gamma': 'gamma', 'milestones': 'milestones', 'factor': 'factor',
    'totalIters': 'total_iters', 'startFactor': 'start_factor', 'endFactor': 'end_factor',
    'power': 'power', 'TMax': 'T_max', 'etaMin': 'eta_min', 'T0': 'T_0', 'TMult': 'T_mult',
    'maxLr': 'max_lr', 'totalSteps': 'total_steps', 'epochs': 'epochs', 'stepsPerEpoch': 'steps_per_epoch',
    'pctStart': 'pct_start', 'annealStrategy': 'anneal_strategy', 'cycleMomentum': 'cycle_momentum',
    'baseMomentum': 'base_momentum', 'maxMomentum': 'max_momentum', 'divFactor': 'div_factor',
    'finalDivFactor': 'final_div_factor', 'threePhase': 'three_phase', 'mode': 'mode',
    'patience': 'patience', 'threshold': 'threshold', 'thresholdMode': 'threshold_mode',
    'cooldown': 'cooldown', 'minLr': 'min_lr', 'eps': 'eps', 'lrLambda': 'lr_lambda',
}


def kwargs(options):
    out = {}
    for k, v in options.items():
        if k == 'lrLambda':
            v = [LAMBDAS[n] for n in v] if isinstance(v, list) else LAMBDAS[v]
        out[KW[k]] = v
    return out


def make_optimizer(groups):
    params = []
    for g in groups:
        d = {'params': [torch.zeros(1, requires_grad=True)], 'lr': g['lr']}
        if 'momentum' in g:
            d['momentum'] = g['momentum']
        if 'betas' in g:
            d['betas'] = tuple(g['betas'])
        params.append(d)
    if 'betas' in groups[0]:
        return Adam(params, lr=groups[0]['lr'])
    return SGD(params, lr=groups[0]['lr'], momentum=groups[0].get('momentum', 0))


def make_scheduler(opt, name, options):
    if name == 'SequentialLR':
        subs = [make_scheduler(opt, s['scheduler'], s['options']) for s in options['schedulers']]
        return S.SequentialLR(opt, subs, options['milestones'])
    if name == 'ChainedScheduler':
        return S.ChainedScheduler([make_scheduler(opt, s['scheduler'], s['options']) for s in options['schedulers']])
    return getattr(S, name)(opt, **kwargs(options))


def momenta(opt):
    g0 = opt.param_groups[0]
    key = 'betas' if 'betas' in g0 else 'momentum'
    return [g['betas'][0] if key == 'betas' else g['momentum'] for g in opt.param_groups]


def run(case):
    opt = make_optimizer(case['groups'])
    sched = make_scheduler(opt, case['scheduler'], case['options'])
    record_m = case['scheduler'] == 'OneCycleLR' and case['options'].get('cycleMomentum', True)
    lrs = [[g['lr'] for g in opt.param_groups]]
    mom = [momenta(opt)] if record_m else None
    if 'metrics' in case:
        calls = [lambda m=m: sched.step(m) for m in case['metrics']]
    elif 'epochs' in case:
        calls = [(lambda e=e: sched.step() if e is None else sched.step(e)) for e in case['epochs']]
    else:
        calls = [sched.step] * case['steps']
    for call in calls:
        opt.step()
        call()
        lrs.append([g['lr'] for g in opt.param_groups])
        if record_m:
            mom.append(momenta(opt))
    out = dict(case)
    out['lrs'] = lrs
    if record_m:
        out['momentum'] = mom
    return out


def sgd(*lrs, momentum=0.9):
    return [{'lr': lr, 'momentum': momentum} for lr in lrs]


def adam(*lrs):
    return [{'lr': lr, 'betas': [0.9, 0.999]} for lr in lrs]


def plateau_metrics():
    # Falls, plateaus with noise below the threshold, falls again, rises, plateaus.
    m = []
    for i in range(60):
        if i < 10:
            m.append(1.0 / (1 + i))
        elif i < 25:
            m.append(0.1 + (0.00001 if i % 2 else -0.00001))
        elif i < 35:
            m.append(0.1 - 0.005 * (i - 24))
        elif i < 45:
            m.append(0.05 + 0.01 * (i - 34))
        else:
            m.append(0.15)
    return m


PLATEAU = plateau_metrics()
ACC = [1 - v for v in PLATEAU]  # an accuracy-like metric for mode 'max'

N = 60
CASES = [
    {'name': 'StepLR gamma 0.5', 'scheduler': 'StepLR', 'options': {'stepSize': 7, 'gamma': 0.5}, 'groups': sgd(0.1), 'steps': N},
    {'name': 'StepLR default gamma, 2 groups', 'scheduler': 'StepLR', 'options': {'stepSize': 10}, 'groups': sgd(0.1, 0.01), 'steps': N},
    {'name': 'StepLR step(epoch)', 'scheduler': 'StepLR', 'options': {'stepSize': 4, 'gamma': 0.7}, 'groups': sgd(0.1),
     'epochs': [0, 3, 4, 9, 9, 2, 17, None, None, 30, None]},
    {'name': 'MultiStepLR repeated milestone', 'scheduler': 'MultiStepLR', 'options': {'milestones': [5, 15, 15, 40], 'gamma': 0.3},
     'groups': sgd(0.1), 'steps': N},
    {'name': 'MultiStepLR 2 groups', 'scheduler': 'MultiStepLR', 'options': {'milestones': [10, 30]}, 'groups': sgd(0.05, 0.2), 'steps': N},
    {'name': 'MultiStepLR step(epoch)', 'scheduler': 'MultiStepLR', 'options': {'milestones': [3, 8, 8, 20], 'gamma': 0.5}, 'groups': sgd(1.0),
     'epochs': [0, 3, 8, 5, 21, None, 2, None]},
    {'name': 'ConstantLR', 'scheduler': 'ConstantLR', 'options': {'factor': 0.5, 'totalIters': 8}, 'groups': sgd(0.1), 'steps': N},
    {'name': 'ConstantLR defaults', 'scheduler': 'ConstantLR', 'options': {}, 'groups': sgd(0.1), 'steps': 20},
    {'name': 'LinearLR warm-up', 'scheduler': 'LinearLR', 'options': {'startFactor': 0.1, 'endFactor': 1.0, 'totalIters': 10},
     'groups': sgd(0.1), 'steps': N},
    {'name': 'LinearLR decay, 2 groups', 'scheduler': 'LinearLR', 'options': {'startFactor': 1.0, 'endFactor': 0.05, 'totalIters': 40},
     'groups': sgd(0.1, 0.3), 'steps': N},
    {'name': 'LinearLR defaults', 'scheduler': 'LinearLR', 'options': {}, 'groups': sgd(0.1), 'steps': 20},
    {'name': 'LinearLR step(epoch)', 'scheduler': 'LinearLR', 'options': {'startFactor': 0.25, 'totalIters': 8}, 'groups': sgd(0.1),
     'epochs': [0, 2, 5, 8, 12, None, 3, None]},
    {'name': 'ExponentialLR', 'scheduler': 'ExponentialLR', 'options': {'gamma': 0.93}, 'groups': sgd(0.1), 'steps': N},
    {'name': 'ExponentialLR step(epoch)', 'scheduler': 'ExponentialLR', 'options': {'gamma': 0.9}, 'groups': sgd(0.1),
     'epochs': [0, 5, 1, None, 20]},
    {'name': 'PolynomialLR nnU-Net', 'scheduler': 'PolynomialLR', 'options': {'totalIters': 50, 'power': 0.9}, 'groups': sgd(0.01, 0.1, momentum=0.99),
     'steps': N, 'nnunetMaxEpochs': 50},
    {'name': 'PolynomialLR power 2', 'scheduler': 'PolynomialLR', 'options': {'totalIters': 30, 'power': 2.0}, 'groups': sgd(0.1), 'steps': N},
    {'name': 'PolynomialLR defaults', 'scheduler': 'PolynomialLR', 'options': {}, 'groups': sgd(0.1), 'steps': 20},
    {'name': 'PolynomialLR step(epoch)', 'scheduler': 'PolynomialLR', 'options': {'totalIters': 20, 'power': 0.9}, 'groups': sgd(0.1),
     'epochs': [0, 4, 10, None, 25, 19]},
    {'name': 'CosineAnnealingLR', 'scheduler': 'CosineAnnealingLR', 'options': {'TMax': 20}, 'groups': sgd(0.1), 'steps': N},
    {'name': 'CosineAnnealingLR etaMin, 2 groups', 'scheduler': 'CosineAnnealingLR', 'options': {'TMax': 13, 'etaMin': 0.001},
     'groups': sgd(0.1, 0.02), 'steps': N},
    {'name': 'CosineAnnealingLR step(epoch)', 'scheduler': 'CosineAnnealingLR', 'options': {'TMax': 10, 'etaMin': 0.01}, 'groups': sgd(0.1),
     'epochs': [0, 3, 7, None, None, 15, None, 2]},
    {'name': 'CosineAnnealingWarmRestarts', 'scheduler': 'CosineAnnealingWarmRestarts', 'options': {'T0': 10}, 'groups': sgd(0.1), 'steps': N},
    {'name': 'CosineAnnealingWarmRestarts TMult 2, 2 groups', 'scheduler': 'CosineAnnealingWarmRestarts',
     'options': {'T0': 5, 'TMult': 2, 'etaMin': 1e-4}, 'groups': sgd(0.1, 0.05), 'steps': N},
    {'name': 'CosineAnnealingWarmRestarts fractional epochs', 'scheduler': 'CosineAnnealingWarmRestarts', 'options': {'T0': 3},
     'groups': sgd(0.1), 'epochs': [i / 4 for i in range(40)] + [None, None, 2.5, None]},
    {'name': 'CosineAnnealingWarmRestarts TMult 3 fractional epochs', 'scheduler': 'CosineAnnealingWarmRestarts',
     'options': {'T0': 2, 'TMult': 3, 'etaMin': 0.001}, 'groups': sgd(0.1),
     'epochs': [i * 0.7 for i in range(50)] + [2, 8, 26, 80, 1.5, None, None, 7.99, None]},
    {'name': 'LambdaLR', 'scheduler': 'LambdaLR', 'options': {'lrLambda': 'pow095'}, 'groups': sgd(0.1), 'steps': N},
    {'name': 'LambdaLR per group', 'scheduler': 'LambdaLR', 'options': {'lrLambda': ['warmup10', 'stepDiv']}, 'groups': sgd(0.1, 0.5), 'steps': N},
    {'name': 'MultiplicativeLR', 'scheduler': 'MultiplicativeLR', 'options': {'lrLambda': 'mulAlt'}, 'groups': sgd(0.1), 'steps': N},
    {'name': 'SequentialLR warm-up then cosine', 'scheduler': 'SequentialLR', 'groups': sgd(0.1), 'steps': N,
     'options': {'schedulers': [{'scheduler': 'LinearLR', 'options': {'startFactor': 0.1, 'totalIters': 5}},
                                {'scheduler': 'CosineAnnealingLR', 'options': {'TMax': 55}}], 'milestones': [5]}},
    {'name': 'SequentialLR three phases', 'scheduler': 'SequentialLR', 'groups': sgd(0.1), 'steps': N,
     'options': {'schedulers': [{'scheduler': 'ConstantLR', 'options': {'factor': 0.2, 'totalIters': 20}},
                                {'scheduler': 'ExponentialLR', 'options': {'gamma': 0.9}},
                                {'scheduler': 'StepLR', 'options': {'stepSize': 5, 'gamma': 0.5}}], 'milestones': [10, 30]}},
    {'name': 'SequentialLR warm-up then poly, 2 groups', 'scheduler': 'SequentialLR', 'groups': sgd(0.01, 0.04), 'steps': N,
     'options': {'schedulers': [{'scheduler': 'LinearLR', 'options': {'startFactor': 0.01, 'totalIters': 8}},
                                {'scheduler': 'PolynomialLR', 'options': {'totalIters': 52, 'power': 0.9}}], 'milestones': [8]}},
    {'name': 'SequentialLR lambda then cosine', 'scheduler': 'SequentialLR', 'groups': sgd(0.1), 'steps': N,
     'options': {'schedulers': [{'scheduler': 'LambdaLR', 'options': {'lrLambda': 'warmup10'}},
                                {'scheduler': 'CosineAnnealingLR', 'options': {'TMax': 30, 'etaMin': 0.001}}], 'milestones': [10]}},
    {'name': 'ChainedScheduler', 'scheduler': 'ChainedScheduler', 'groups': sgd(0.1, 0.2), 'steps': N,
     'options': {'schedulers': [{'scheduler': 'ConstantLR', 'options': {'factor': 0.1, 'totalIters': 2}},
                                {'scheduler': 'ExponentialLR', 'options': {'gamma': 0.9}}]}},
    {'name': 'OneCycleLR SGD', 'scheduler': 'OneCycleLR', 'options': {'maxLr': 0.1, 'totalSteps': N}, 'groups': sgd(0.1), 'steps': N},
    {'name': 'OneCycleLR three-phase linear, 2 groups', 'scheduler': 'OneCycleLR',
     'options': {'maxLr': [0.1, 0.05], 'epochs': 6, 'stepsPerEpoch': 10, 'annealStrategy': 'linear', 'threePhase': True, 'pctStart': 0.25,
                 'baseMomentum': [0.8, 0.85], 'maxMomentum': 0.95},
     'groups': sgd(0.1, 0.05), 'steps': N},
    {'name': 'OneCycleLR three-phase cos', 'scheduler': 'OneCycleLR',
     'options': {'maxLr': 0.2, 'totalSteps': 50, 'threePhase': True, 'pctStart': 0.35}, 'groups': sgd(0.1), 'steps': 50},
    {'name': 'OneCycleLR Adam betas', 'scheduler': 'OneCycleLR',
     'options': {'maxLr': 0.01, 'totalSteps': N, 'divFactor': 10.0, 'finalDivFactor': 100.0, 'baseMomentum': 0.8, 'maxMomentum': 0.9},
     'groups': adam(0.001), 'steps': N},
    {'name': 'OneCycleLR no momentum cycling, pctStart 0.5', 'scheduler': 'OneCycleLR',
     'options': {'maxLr': 0.3, 'totalSteps': 40, 'cycleMomentum': False, 'pctStart': 0.5}, 'groups': sgd(0.1, momentum=0.0), 'steps': 40},
    {'name': 'ReduceLROnPlateau defaults, patience 3', 'scheduler': 'ReduceLROnPlateau', 'options': {'patience': 3},
     'groups': sgd(0.1), 'metrics': PLATEAU},
    {'name': 'ReduceLROnPlateau max abs cooldown, 2 groups', 'scheduler': 'ReduceLROnPlateau',
     'options': {'mode': 'max', 'factor': 0.5, 'patience': 2, 'threshold': 0.001, 'thresholdMode': 'abs', 'cooldown': 3, 'minLr': [0.01, 0.0]},
     'groups': sgd(0.1, 0.05), 'metrics': ACC},
    {'name': 'ReduceLROnPlateau min abs, minLr, eps', 'scheduler': 'ReduceLROnPlateau',
     'options': {'factor': 0.3, 'patience': 0, 'threshold': 0.0, 'thresholdMode': 'abs', 'minLr': 0.004, 'eps': 1e-3},
     'groups': sgd(0.1), 'metrics': PLATEAU},
    {'name': 'ReduceLROnPlateau max rel', 'scheduler': 'ReduceLROnPlateau',
     'options': {'mode': 'max', 'patience': 1, 'threshold': 0.01, 'cooldown': 1}, 'groups': sgd(1.0), 'metrics': ACC},
]


def main():
    cases = [run(c) for c in CASES]
    for c in cases:
        if 'nnunetMaxEpochs' in c:
            T = c['nnunetMaxEpochs']
            base = [g['lr'] for g in c['groups']]
            c['nnunet'] = [[b * (1 - e / T) ** 0.9 for b in base] for e in range(T + 1)]
            worst = max(abs(c['lrs'][e][i] - c['nnunet'][e][i]) / max(abs(c['nnunet'][e][i]), 1e-300)
                        for e in range(T) for i in range(len(base)))
            print(f"PolynomialLR vs nnU-Net poly: max relative difference {worst:.3g} (epochs 0..{T - 1}); "
                  f"at epoch {T}: {c['lrs'][T]} vs {c['nnunet'][T]}")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    path = os.path.join(root, 'test', 'fixtures', 'lr_scheduler.json')
    with open(path, 'w') as f:
        json.dump({'torch': torch.__version__, 'cases': cases}, f, indent=None, separators=(',', ':'))
        f.write('\n')
    print(f'wrote {len(cases)} cases to {path} ({os.path.getsize(path)} bytes)')


if __name__ == '__main__':
    main()
