// Printing: PyTorch's layout for small tensors; large tensors are summarised without copying them out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tn from 'tunet';

test('small tensors print like PyTorch', () => {
  assert.equal(String(tn.tensor([[1.5, 2], [3, 4]])), 'tensor([[1.5000, 2.0000],\n        [3.0000, 4.0000]])');
  assert.equal(String(tn.arange(0, 3)), 'tensor([0, 1, 2])');
  assert.equal(String(tn.tensor([true, false])), 'tensor([ True, False])');
  assert.equal(String(tn.zeros([0, 3])), 'tensor([], size=[0, 3])');
  assert.equal(String(tn.ones([2], { dtype: 'float64' }).requiresGrad_()), 'tensor([1., 1.], dtype=float64, requires_grad=True)');
});

test('large tensors are summarised with edges only', () => {
  // As printed by PyTorch 1.13 for torch.arange(0, 3000).reshape(30, 100), with tunet's single-space ellipsis.
  const s = String(tn.arange(0, 3000).reshape([30, 100]));
  assert.equal(s.split('\n').length, 7);
  assert.ok(s.startsWith('tensor([[   0,    1,    2, ...,   97,   98,   99],'));
  assert.ok(s.endsWith('[2900, 2901, 2902, ..., 2997, 2998, 2999]])'));
  const big = tn.zeros([20_000_000]);
  assert.equal(String(big), 'tensor([0., 0., 0., ..., 0., 0., 0.])');
  big.dispose();
});
