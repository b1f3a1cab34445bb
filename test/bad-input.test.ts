// Bad input: every case must throw a clear, op-named error (a tn.TorchError, or
// a TypeError for plain JavaScript misuse), leak nothing, and leave the process
// working. Each case notes what PyTorch 1.13 does with the same input
// (checked with /usr/bin/python3); tunet errors wherever PyTorch raises.
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as tn from 'tunet';

const F = tn.nn.functional;
const o = (shape: number[], dtype?: tn.DType) => tn.ones(shape, dtype ? { dtype } : undefined);
const long = (data: number[] | number[][]) => tn.tensor(data, { dtype: 'int64' });
// Untyped handle for JavaScript-level misuse that TypeScript would reject.
const any = (x: unknown) => x as any; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Expect {
  /** err.op, exactly (string) or by pattern. */
  op: string | RegExp;
  /** What is wrong, matched against the message. */
  msg: RegExp;
  /** Defaults to tn.TorchError. */
  type?: typeof tn.TorchError | typeof TypeError;
}

/**
 * One subtest per bad input. fn runs inside tn.scope, so any tensor it made
 * is freed when it throws; afterEach then checks that nothing leaked.
 */
function bad(name: string, fn: () => unknown, e: Expect): void {
  it(name, () => {
    assert.throws(
      () => tn.scope(fn),
      (err: unknown) => {
        const type = e.type ?? tn.TorchError;
        assert.ok(err instanceof type, `expected ${type.name}, got ${(err as Error)?.constructor?.name}: ${(err as Error)?.message}`);
        const message = (err as Error).message;
        assert.match(message, e.msg);
        if (err instanceof tn.TorchError) {
          if (typeof e.op === 'string') assert.equal(err.op, e.op, message);
          else assert.match(err.op, e.op);
          assert.ok(message.startsWith(`${err.op}: `), `the message names the op: ${message}`);
        } else {
          // TypeErrors carry the op name in the message.
          assert.match(message, typeof e.op === 'string' ? new RegExp(e.op) : e.op);
        }
        return true;
      },
    );
  });
}

/** An input PyTorch accepts: tunet must give PyTorch's result. */
function accepted(name: string, fn: () => unknown, want: unknown): void {
  it(name, () => {
    assert.deepEqual(tn.scope(fn), want);
  });
}

let live = 0;
beforeEach(() => {
  live = tn.memory().tensors;
});

// The process keeps working after every case: no leaked tensors, no scope or
// grad mode left behind, and ops and autograd give the right numbers.
afterEach(() => {
  assert.equal(tn.memory().tensors, live, 'the case leaked native tensors');
  assert.equal(tn.inScope(), false, 'a scope was left open');
  assert.equal(tn.isGradEnabled(), true, 'grad mode was left off');
  const prod = tn.scope(() => tn.tensor([[1, 2], [3, 4]]).matmul(tn.tensor([[5], [6]])).toArray());
  assert.deepEqual(prod, [17, 39]);
  const grad = tn.scope(() => {
    const x = tn.tensor([1, 2, 3]).requiresGrad_();
    x.mul(x).sum().backward();
    return x.grad!.toArray();
  });
  assert.deepEqual(grad, [2, 4, 6]);
  const conv = tn.scope(() => F.conv2d(o([1, 2, 3, 3]), o([1, 2, 2, 2]), null, { padding: 0 }).toArray());
  assert.deepEqual(conv, [8, 8, 8, 8]);
  assert.equal(tn.memory().tensors, live, 'the sentinel leaked');
});

describe('mismatched shapes', () => {
  // PyTorch: The size of tensor a (3) must match the size of tensor b (5) at non-singleton dimension 1
  bad('add of [2,3] and [4,5]', () => o([2, 3]).add(o([4, 5])), { op: 'aten::add.Tensor', msg: /size of tensor a \(3\) must match the size of tensor b \(5\)/ });
  // PyTorch: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)
  bad('matmul inner dimensions', () => o([2, 3]).matmul(o([4, 5])), { op: 'matmul', msg: /\[2, 3\] and \[4, 5\] cannot be multiplied \(3 != 4\)/ });
  // PyTorch: self must be a matrix
  bad('mm of a 3-d tensor', () => o([2, 3, 4]).mm(o([4, 5])), { op: 'mm', msg: /expects 2-d tensors, got \[2, 3, 4\]/ });
  // PyTorch: batch1 must be a 3D tensor
  bad('bmm of 2-d tensors', () => o([2, 3]).bmm(o([3, 4])), { op: 'bmm', msg: /expects 3-d tensors/ });
  // PyTorch: Sizes of tensors must match except in dimension 0. Expected size 3 but got size 4
  bad('cat of mismatched sizes', () => tn.cat([o([2, 3]), o([2, 4])], 0), { op: 'cat', msg: /sizes must match except in dimension 0.*\[2, 3\].*\[2, 4\]/ });
  // PyTorch: Tensors must have same number of dimensions: got 2 and 1
  bad('cat of different ranks', () => tn.cat([o([2, 3]), o([3])]), { op: 'cat', msg: /tensor 1 has 1 dimensions but tensor 0 has 2/ });
  // PyTorch: stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [3, 2] at entry 1
  bad('stack of different shapes', () => tn.stack([o([2, 3]), o([3, 2])]), { op: 'stack', msg: /same shape.*\[2, 3\].*\[3, 2\]/ });
  // PyTorch: shape '[4, 2]' is invalid for input of size 6
  bad('reshape to the wrong numel', () => o([2, 3]).reshape([4, 2]), { op: 'aten::reshape', msg: /shape '\[4, 2\]' is invalid for input of size 6/ });
  // PyTorch: view size is not compatible with input tensor's size and stride ... Use .reshape(...) instead.
  bad('view of a non-contiguous tensor', () => o([2, 3]).t().view([6]), { op: 'aten::view', msg: /not compatible with input tensor's size and stride.*reshape/ });
  // PyTorch: The expanded size of the tensor (5) must match the existing size (3) at non-singleton dimension 1
  bad('expand to an incompatible shape', () => o([2, 3]).expand([4, 5]), { op: 'aten::expand', msg: /expanded size of the tensor \(5\) must match the existing size \(3\)/ });
  // PyTorch: split_with_sizes expects split_sizes to sum exactly to 5
  bad('split sections that do not sum to the size', () => o([5]).split([2, 2]), { op: 'split', msg: /sum to 4 but dimension 0 has size 5/ });
  // PyTorch: output with shape [3] doesn't match the broadcast shape [2, 3]
  bad('in-place mul_ whose result would need a bigger shape', () => o([3]).mul_(o([2, 3])), { op: 'aten::mul_.Tensor', msg: /output with shape \[3\] doesn't match the broadcast shape \[2, 3\]/ });
  // PyTorch raises on the broadcast (after a warning); tunet checks first.
  bad('mseLoss of different shapes', () => F.mseLoss(o([3]), o([4])), { op: 'mseLoss', msg: /input \[3\] and target \[4\] must have the same shape/ });
});

describe('mismatched channels', () => {
  // PyTorch: Given groups=1, weight of size [4, 2, 3, 3], expected input[1, 3, 5, 5] to have 2 channels, but got 3
  bad('conv2d input channels vs weight', () => F.conv2d(o([1, 3, 5, 5]), o([4, 2, 3, 3])), { op: 'conv2d', msg: /input has 3 channels but weight \[4, 2, 3, 3\] with groups=1 expects 2/ });
  // PyTorch: Given groups=2, expected weight to be divisible by 2 at dimension 0
  bad('conv2d out channels not divisible by groups', () => F.conv2d(o([1, 4, 5, 5]), o([5, 2, 3, 3]), null, { groups: 2 }), { op: 'conv2d', msg: /out channels 5 are not divisible by groups=2/ });
  // PyTorch: Given groups=4, expected weight to be divisible by 4 at dimension 0
  bad('conv2d in channels vs groups', () => F.conv2d(o([1, 4, 5, 5]), o([6, 2, 3, 3]), null, { groups: 4 }), { op: 'conv2d', msg: /input has 4 channels .* groups=4 expects 8/ });
  // PyTorch: expected bias to be 1-dimensional with 4 elements, but got bias of size [5]
  bad('conv2d bias shape', () => F.conv2d(o([1, 3, 5, 5]), o([4, 3, 3, 3]), o([5])), { op: 'conv2d', msg: /bias must have shape \[4\], got \[5\]/ });
  bad('conv2d weight of the wrong rank', () => F.conv2d(o([1, 3, 5, 5]), o([4, 3, 3])), { op: 'conv2d', msg: /weight must be 4-d, got shape \[4, 3, 3\]/ });
  bad('convTranspose2d input channels vs weight', () => F.convTranspose2d(o([1, 3, 5, 5]), o([2, 4, 3, 3])), { op: 'convTranspose2d', msg: /input has 3 channels but weight \[2, 4, 3, 3\] expects 2/ });
  // PyTorch: running_mean should contain 3 elements not 4
  bad('batchNorm running stats size', () => F.batchNorm(o([2, 3, 4, 4]), tn.zeros([4]), o([4])), { op: 'batchNorm', msg: /runningMean must have shape \[3\] for 3 channels, got \[4\]/ });
  // PyTorch: Expected number of channels in input to be divisible by num_groups
  bad('groupNorm groups not dividing channels', () => F.groupNorm(o([2, 6, 4, 4]), 4), { op: 'groupNorm', msg: /channels \(6\) must be divisible by numGroups \(4\)/ });
  // PyTorch: mat1 and mat2 shapes cannot be multiplied (2x3 and 5x4)
  bad('linear in-features', () => F.linear(o([2, 3]), o([4, 5])), { op: 'linear', msg: /last dimension is 3 but weight \[4, 5\] expects 5 features/ });
  // PyTorch: Given normalized_shape=[4], expected input with shape [*, 4], but got input of size[2, 3]
  bad('layerNorm normalized shape', () => F.layerNorm(o([2, 3]), [4]), { op: 'layerNorm', msg: /normalizedShape \[4\] must match the input's last dimensions \[2, 3\]/ });
  // PyTorch: weight should contain 2 elements not 3
  bad('instanceNorm weight size', () => F.instanceNorm(o([1, 2, 3]), { weight: o([3]) }), { op: 'aten::instance_norm', msg: /weight should contain 2 elements not 3/ });
});

describe('wrong dtypes', () => {
  // PyTorch: mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long
  bad('mean of int64', () => o([3], 'int64').mean(), { op: 'mean', msg: /floating-point tensor, got int64/ });
  // PyTorch: expected scalar type Long but found Float (a float target must be class probabilities of the input's shape)
  bad('crossEntropy float target of the wrong shape', () => F.crossEntropy(o([2, 3]), o([2])), { op: 'crossEntropy', msg: /input \[2, 3\] and target \[2\] must have the same shape/ });
  // PyTorch: expected scalar type Long but found Int
  bad('crossEntropy int32 target', () => F.crossEntropy(o([2, 3]), o([2], 'int32')), { op: 'crossEntropy', msg: /target must be int64, got int32/ });
  // PyTorch: one_hot is only applicable to index tensor.
  bad('oneHot of float', () => F.oneHot(o([3])), { op: 'oneHot', msg: /int64 tensor of class indices, got float32/ });
  // PyTorch: expected scalar type Float but found Double
  bad('conv2d float32 input with float64 weight', () => F.conv2d(o([1, 3, 5, 5]), o([4, 3, 3, 3], 'float64')), { op: 'conv2d', msg: /input is float32 but weight is float64/ });
  // PyTorch: expected scalar type Float but found Double
  bad('mm of float32 and float64', () => o([2, 3]).mm(o([3, 4], 'float64')), { op: 'aten::mm', msg: /expected scalar type Float but found Double/ });
  // PyTorch: only Tensors of floating point dtype can require gradients
  bad('requiresGrad_ on an int tensor', () => o([3], 'int64').requiresGrad_(), { op: 'requiresGrad_', msg: /floating point .*can require gradients/ });
  bad('requiresGrad option on an int tensor', () => tn.zeros([2], { dtype: 'int64', requiresGrad: true }), { op: 'zeros', msg: /only floating-point tensors can require gradients, not int64/ });
  // PyTorch: where expected condition to be a boolean tensor, but got a tensor with dtype Float
  bad('where with a float condition', () => tn.where(o([3]), o([3]), tn.zeros([3])), { op: 'aten::where.self', msg: /condition to be a boolean tensor.*Float/ });
  // PyTorch: masked_select: expected BoolTensor or ByteTensor for mask
  bad('maskedSelect with a float mask', () => o([3]).maskedSelect(o([3])), { op: 'aten::masked_select', msg: /expected BoolTensor or ByteTensor for mask/ });
  // PyTorch: Subtraction, the `-` operator, with two bool tensors is not supported.
  bad('sub of two bool tensors', () => o([3], 'bool').sub(o([3], 'bool')), { op: 'aten::sub.Tensor', msg: /Subtraction.*bool tensors is not supported/ });
  // PyTorch: result type Float can't be cast to the desired output type Long
  bad('in-place add_ of float into int64', () => o([3], 'int64').add_(o([3]).mul(0.5)), { op: 'aten::add_.Tensor', msg: /result type Float can't be cast to the desired output type Long/ });
  bad('in-place add_ of a fractional number into int64', () => o([3], 'int64').add_(0.5), { op: 'aten::add_.Scalar', msg: /result type Float can't be cast to the desired output type Long/ });
  bad('in-place sqrt_ of int64', () => o([3], 'int64').sqrt_(), { op: 'aten::sqrt_', msg: /can't be cast to the desired output type Long/ });
  // PyTorch: index_select(): Expected dtype int32 or int64 for index
  bad('indexSelect with a float index', () => o([3]).indexSelect(0, tn.tensor([0])), { op: 'aten::index_select', msg: /Expected dtype int32 or int64 for index/ });
  // PyTorch: value cannot be converted to type int32 without overflow (tunet wrapped silently before)
  bad('int32 data that overflows', () => tn.tensor([3e9], { dtype: 'int32' }), { op: 'tensor', msg: /value 3000000000 at flat index 0 cannot be converted to int32 without overflow/ });
  bad('uint8 data that overflows', () => tn.tensor([1, 300], { dtype: 'uint8' }), { op: 'tensor', msg: /value 300 at flat index 1 cannot be converted to uint8 without overflow/ });
  bad('NaN into an int32 tensor', () => tn.tensor([NaN], { dtype: 'int32' }), { op: 'tensor', msg: /NaN .*cannot be converted to int32/ });
  bad('a bigint beyond int64', () => tn.tensor([2n ** 64n]), { op: 'tensor', msg: /18446744073709551616 .*cannot be converted to int64 without overflow/ });
  // PyTorch: value cannot be converted to type int64_t without overflow
  bad('fill_ of NaN into int64', () => o([2], 'int64').fill_(NaN), { op: 'aten::fill_.Scalar', msg: /cannot be converted to type int64_t without overflow/ });
  // PyTorch: "softmax_lastdim_kernel_impl" not implemented for 'Long'
  bad('softmax of int64', () => F.softmax(o([3], 'int64'), 0), { op: 'aten::softmax.int', msg: /not implemented for 'Long'/ });
  accepted('uint8 wraps negative integers as PyTorch does (-1 -> 255)', () => tn.tensor([-1, 255], { dtype: 'uint8' }).toArray(), [255, 255]);
  accepted('bool data: any nonzero value is true, as in PyTorch', () => tn.tensor([2, 0, -1, NaN], { dtype: 'bool' }).toArray(), [1, 0, 1, 1]);
  accepted('int32 data truncates fractions as PyTorch does', () => tn.tensor([1.5, -2.5], { dtype: 'int32' }).toArray(), [1, -2]);
});

describe('out-of-range indices and dimensions', () => {
  // PyTorch: index out of range in self
  bad('indexSelect with index >= size', () => o([3, 4]).indexSelect(0, long([3])), { op: 'aten::index_select', msg: /index out of range/ });
  bad('indexSelect with a negative index', () => o([3, 4]).indexSelect(0, long([-1])), { op: 'aten::index_select', msg: /index out of range/ });
  // PyTorch: index 4 is out of bounds for dimension 1 with size 4
  bad('gather index out of range', () => o([3, 4]).gather(1, long([[4]])), { op: 'aten::gather', msg: /index 4 is out of bounds for dimension 1 with size 4/ });
  // PyTorch: select(): index 3 out of range for tensor of size [3, 4] at dimension 0
  bad('select beyond the end', () => o([3, 4]).select(0, 3), { op: 'aten::select.int', msg: /index 3 out of range for tensor of size \[3, 4\]/ });
  bad('select with a negative index below -size', () => o([3]).select(0, -4), { op: 'aten::select.int', msg: /index -4 out of range/ });
  // PyTorch: start (2) + length (3) exceeds dimension size (4).
  bad('narrow beyond the end', () => o([3, 4]).narrow(1, 2, 3), { op: 'aten::narrow', msg: /start \(2\) \+ length \(3\) exceeds dimension size \(4\)/ });
  // PyTorch: index 3 is out of bounds for dimension 0 with size 3
  bad('advanced index out of range', () => o([3]).index([long([3])]), { op: 'aten::index.Tensor', msg: /index 3 is out of bounds for dimension 0 with size 3/ });
  bad('scatter index out of range', () => tn.zeros([3]).scatter(0, long([5]), 1), { op: 'aten::scatter.value', msg: /index 5 is out of bounds/ });
  // PyTorch: Dimension out of range (expected to be in range of [-2, 1], but got 2)
  bad('sum over a dimension out of range', () => o([3, 4]).sum(2), { op: 'aten::sum.dim_IntList', msg: /Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)/ });
  bad('transpose with a dimension out of range', () => o([3, 4]).transpose(0, 2), { op: 'transpose', msg: /dimension 2 is out of range for a 2-d tensor/ });
  bad('squeeze with a dimension out of range', () => o([3, 4]).squeeze(2), { op: 'squeeze', msg: /dimension 2 is out of range for a 2-d tensor/ });
  bad('softmax over a dimension out of range', () => F.softmax(o([3, 4]), 2), { op: 'aten::softmax.int', msg: /Dimension out of range/ });
  bad('size(dim) out of range', () => o([3]).size(1), { op: 'size', msg: /dimension 1 is out of range for a 1-d tensor/ });
  // PyTorch: Target 3 is out of bounds.
  bad('crossEntropy target class >= C', () => F.crossEntropy(o([2, 3]), long([0, 3])), { op: 'aten::cross_entropy_loss', msg: /Target 3 is out of bounds/ });
  bad('crossEntropy negative target class', () => F.crossEntropy(o([2, 3]), long([0, -1])), { op: 'aten::cross_entropy_loss', msg: /Target -1 is out of bounds/ });
  // PyTorch: Class values must be smaller than num_classes.
  bad('oneHot class >= numClasses', () => F.oneHot(long([0, 3]), 3), { op: 'aten::one_hot', msg: /Class values must be smaller than num_classes/ });
  // PyTorch: Class values must be non-negative.
  bad('oneHot negative class', () => F.oneHot(long([0, -1]), 3), { op: 'aten::one_hot', msg: /Class values must be non-negative/ });
  // PyTorch: selected index k out of range
  bad('topk with k > size', () => o([3]).topk(4), { op: 'aten::topk', msg: /selected index k out of range/ });
});

describe('NaN and out-of-range scalars', () => {
  // PyTorch: dropout probability has to be between 0 and 1, but got nan
  bad('dropout p = NaN', () => F.dropout(o([3]), NaN), { op: 'dropout', msg: /p must be a number in \[0, 1\], got number NaN/ });
  bad('dropout p = 1.5', () => F.dropout(o([3]), 1.5), { op: 'dropout', msg: /p must be a number in \[0, 1\]/ });
  // PyTorch returns x for x > 0 with a NaN slope; tunet rejects the slope with a clear error instead.
  bad('leakyRelu slope NaN', () => F.leakyRelu(o([3]), NaN), { op: 'leakyRelu', msg: /negativeSlope must be a number, got number NaN/ });
  // PyTorch: unsupported range: 0 -> nan
  bad('arange with a NaN end', () => tn.arange(0, NaN), { op: 'arange', msg: /end must be a finite number, got NaN/ });
  // PyTorch: set_num_threads expects a positive integer
  bad('setNumThreads(NaN)', () => tn.setNumThreads(NaN), { op: 'setNumThreads', msg: /number of threads must be an integer in \[1, \d+\], got NaN/ });
  bad('setNumThreads(0)', () => tn.setNumThreads(0), { op: 'setNumThreads', msg: /got 0/ });
  // PyTorch accepts 1e10 (truncated to 1410065408) and the next parallel op aborts the process
  // ("libgomp: Out of memory"); tunet refuses absurd counts.
  bad('setNumThreads(1e10)', () => tn.setNumThreads(1e10), { op: 'setNumThreads', msg: /integer in \[1, \d+\], got 10000000000/ });
  // PyTorch: cannot convert float NaN to integer
  bad('manualSeed(NaN)', () => tn.manualSeed(NaN), { op: 'manualSeed', msg: /seed must be a non-negative integer.*got NaN/ });
  // PyTorch accepts -1 (as 2^64 - 1); tunet asks for a non-negative seed.
  bad('manualSeed(-1)', () => tn.manualSeed(-1), { op: 'manualSeed', msg: /non-negative integer.*got -1/ });
  // PyTorch: Overflow when unpacking long (tunet truncated it silently before)
  bad('manualSeed(2n ** 64n)', () => tn.manualSeed(2n ** 64n), { op: 'manualSeed', msg: /got 18446744073709551616/ });
  // PyTorch: bernoulli_ expects p to be in [0, 1], but got p=nan
  bad('bernoulli_ p = NaN', () => o([3]).bernoulli_(NaN), { op: 'bernoulli_', msg: /p must be in \[0, 1\], got NaN/ });
  // PyTorch: normal expects std >= 0.0, but found std nan
  bad('normal_ std = NaN', () => o([3]).normal_(0, NaN), { op: 'aten::normal_', msg: /normal expects std >= 0.0, but found std nan/ });
  // PyTorch: Invalid mt19937 state
  bad('setRngState with garbage bytes of the right size', () => tn.setRngState(tn.full([5056], 255, { dtype: 'uint8' })), { op: 'setRngState', msg: /Invalid mt19937 state/ });
  bad('setRngState with a state of the wrong size', () => tn.setRngState(tn.zeros([3], { dtype: 'uint8' })), { op: 'setRngState', msg: /RNG state size to be 3/ });
  bad('an index argument of NaN', () => o([2, 3]).select(0, NaN), { op: 'aten::select.int', msg: /argument 'index': expected an integer, got NaN/ });
  bad('interpolate scaleFactor NaN', () => F.interpolate(o([1, 1, 2, 2]), { scaleFactor: NaN }), { op: 'interpolate', msg: /scaleFactor must be a positive number/ });
  // PyTorch leaves the values unchanged when min is NaN in clamp_ (1.13): [1, 2].
  accepted('clamp_(NaN) gives PyTorch result', () => tn.tensor([1, 2]).clamp_(NaN).toArray(), [1, 2]);
  // PyTorch: linspace(0, nan, 3) is [nan, nan, nan].
  accepted('linspace with a NaN end gives NaNs as PyTorch', () => tn.linspace(0, NaN, 3).toArray(), [NaN, NaN, NaN]);
});

describe('disposed tensors', () => {
  bad('a method on a disposed tensor', () => {
    const x = o([2]);
    x.dispose();
    return x.add(1);
  }, { op: 'Tensor', msg: /the tensor was disposed; it cannot be used any more/ });
  bad('a disposed tensor as an argument', () => {
    const x = o([2]);
    x.dispose();
    return o([2]).add(x);
  }, { op: 'Tensor', msg: /disposed/ });
  bad('a disposed tensor as conv2d weight', () => {
    const w = o([1, 1, 2, 2]);
    w.dispose();
    return F.conv2d(o([1, 1, 3, 3]), w);
  }, { op: 'Tensor', msg: /disposed/ });
  bad('a disposed tensor in a cat list', () => {
    const x = o([2]);
    x.dispose();
    return tn.cat([o([2]), x]);
  }, { op: 'Tensor', msg: /disposed/ });
  bad('item() of a disposed tensor', () => {
    const x = o([1]);
    x.dispose();
    return x.item();
  }, { op: 'Tensor', msg: /disposed/ });
  it('double dispose is a no-op', () => {
    const before = tn.memory().tensors;
    const x = o([2]);
    x.dispose();
    x.dispose();
    assert.equal(x.isDisposed, true);
    assert.equal(tn.memory().tensors, before);
    assert.equal(String(x), 'tensor(<disposed>)');
  });
});

describe('empty tensors', () => {
  // PyTorch: max(): Expected reduction dim to be specified for input.numel() == 0.
  bad('max() of an empty tensor', () => o([0]).max(), { op: 'max', msg: /max\(\) of an empty tensor has no value; pass a dim/ });
  bad('max(dim) over an empty dimension', () => o([3, 0]).max(1), { op: 'aten::max.dim', msg: /Expected reduction dim 1 to have non-zero size/ });
  bad('argmax() of an empty tensor', () => o([0]).argmax(), { op: 'aten::argmax', msg: /numel\(\) == 0/ });
  // PyTorch: only one element tensors can be converted to Python scalars
  bad('item() of an empty tensor', () => o([0]).item(), { op: 'item', msg: /a Tensor with 0 elements cannot be converted to a number/ });
  bad('item() of a multi-element tensor', () => o([2]).item(), { op: 'item', msg: /a Tensor with 2 elements cannot be converted to a number/ });
  // PyTorch: torch.ones(0).mean() is nan; so are std() and an empty crossEntropy.
  accepted('mean of an empty tensor is NaN, as in PyTorch', () => o([0]).mean().item(), NaN);
  accepted('std of an empty tensor is NaN, as in PyTorch', () => o([0]).std().item(), NaN);
  accepted('sum of an empty tensor is 0', () => o([0]).sum().item(), 0);
});

describe('bad creation input', () => {
  // PyTorch: expected sequence of length 2 at dim 1 (got 1)
  bad('ragged nested array', () => tn.tensor([[1, 2], [3]]), { op: 'tensor', msg: /ragged nested array: element \[1\] should be an array of length 2/ });
  bad('array where a value was expected', () => tn.tensor(any([[1], [[2]]])), { op: 'tensor', msg: /ragged nested array: element \[1\]\[0\] is an array/ });
  // PyTorch: too many dimensions 'str'
  bad('strings in data', () => tn.tensor(any(['a'])), { op: 'tensor', msg: /element \[0\] is string; expected a number, boolean or bigint/ });
  bad('null in data', () => tn.tensor(any([1, null])), { op: 'tensor', msg: /element \[1\] is null/ });
  // PyTorch: Trying to create tensor with negative dimension -1: [-1]
  bad('negative shape', () => tn.zeros([-1]), { op: 'zeros', msg: /shape must be an array of non-negative integers, got \[-1\]/ });
  // PyTorch: argument 'size' must be tuple of SymInts, not float
  bad('non-integer shape', () => tn.zeros([1.5]), { op: 'zeros', msg: /non-negative integers, got \[1.5\]/ });
  bad('NaN in a shape', () => tn.full([2, NaN], 1), { op: 'full', msg: /non-negative integers, got \[2, NaN\]/ });
  bad('unknown dtype name', () => tn.zeros([2], { dtype: any('float33') }), { op: 'zeros', msg: /unknown dtype "float33"/ });
  // Node 20 has no Float16Array: raw half-precision bits in a Uint16Array are refused, not misread.
  bad('Float16 data as a Uint16Array', () => tn.tensor(new Uint16Array([15360])), { op: 'tensor', msg: /unsupported data type Uint16Array/ });
  bad('fromTypedArray with the wrong shape', () => tn.fromTypedArray(new Float32Array(6), [4, 2]), { op: 'tensor', msg: /data has 24 bytes but shape and dtype need 32/ });
  bad('a fractional value for int64', () => tn.tensor([1.5], { dtype: 'int64' }), { op: 'tensor', msg: /value 1.5 at flat index 0 is not an integer/ });
  bad('an impossible allocation', () => tn.empty([2 ** 40]), { op: 'aten::empty.memory_format', msg: /can't allocate memory/ });
  accepted('float16 from numbers converts', () => tn.tensor([1, 2], { dtype: 'float16' }).toArray(), [1, 2]);
});

describe('autograd misuse', () => {
  // PyTorch: grad can be implicitly created only for scalar outputs
  bad('backward on a non-scalar without a gradient', () => o([3]).requiresGrad_().mul(2).backward(), { op: 'backward', msg: /grad can be implicitly created only for scalar outputs; pass a gradient of shape \[3\]/ });
  // PyTorch: Trying to backward through the graph a second time
  bad('backward twice without retainGraph', () => {
    const x = o([3]).requiresGrad_();
    const y = x.mul(x).sum();
    y.backward();
    y.backward();
  }, { op: 'backward', msg: /backward through the graph a second time/ });
  bad('backward with a gradient of the wrong shape', () => o([3]).requiresGrad_().mul(2).backward(o([4])), { op: 'backward', msg: /invalid gradient at index 0 - got \[4\] but expected shape compatible with \[3\]/ });
  // PyTorch: TypeError (a number is not a tensor). tunet used to ignore it and run with ones.
  bad('backward(options) with the options in the gradient slot', () => o([1]).requiresGrad_().mul(2).sum().backward(any({ retainGraph: true })), { op: 'backward', msg: /argument 'gradient' must be a Tensor or null/ });
  // PyTorch: element 0 of tensors does not require grad and does not have a grad_fn
  bad('backward on a tensor that does not require grad', () => o([1]).sum().backward(), { op: 'backward', msg: /does not require grad/ });
  // tunet's setter check (PyTorch: assigned grad has data of a different size)
  bad('grad setter with the wrong shape', () => {
    const x = o([3]).requiresGrad_();
    x.grad = o([4]);
  }, { op: 'grad', msg: /assigned grad has shape \[4\] but the tensor has shape \[3\]/ });
  bad('grad setter with the wrong dtype', () => {
    const x = o([3]).requiresGrad_();
    x.grad = o([3], 'float64');
  }, { op: 'grad', msg: /assigned grad has dtype Double but the tensor has dtype Float/ });
  // PyTorch: assigned grad expected to be a Tensor or None. tunet used to clear the gradient silently.
  bad('grad setter with a number', () => {
    const x = o([3]).requiresGrad_();
    x.grad = any(3);
  }, { op: 'grad', msg: /assigned grad must be a Tensor or null, got number 3/ });
  // PyTorch: a leaf Variable that requires grad is being used in an in-place operation.
  bad('in-place op on a leaf that requires grad', () => o([3]).requiresGrad_().add_(1), { op: 'aten::add_.Scalar', msg: /leaf Variable that requires grad is being used in an in-place operation/ });
  bad('tn.scope with an async function', () => tn.scope(async () => o([3])), { op: 'scope', msg: /synchronous function/ });
  bad('tn.noGrad with an async function', () => tn.noGrad(async () => 1), { op: 'noGrad', msg: /synchronous function/ });
  bad('autograd.grad with null outputs', () => tn.autograd.grad(any(null), o([1]).requiresGrad_()), { op: 'autograd.grad', msg: /argument 'outputs\[0\]' must be a Tensor, got null/ });
});

describe('wrong types where tensors are expected', () => {
  bad('conv2d weight as a number', () => F.conv2d(o([1, 3, 5, 5]), any(3)), { op: 'conv2d', msg: /argument 'weight' must be a Tensor, got number 3/ });
  bad('conv2d weight as an array', () => F.conv2d(o([1, 3, 5, 5]), any([[1]])), { op: 'conv2d', msg: /argument 'weight' must be a Tensor, got an array/ });
  bad('conv2d weight as null', () => F.conv2d(o([1, 3, 5, 5]), any(null)), { op: 'conv2d', msg: /argument 'weight' must be a Tensor, got null/ });
  bad('a number in a cat list', () => tn.cat([o([2]), any(3)]), { op: 'cat', msg: /element 1 is not a Tensor \(number 3\)/ });
  bad('cat of a tensor instead of a list', () => tn.cat(any(o([2]))), { op: 'cat', msg: /expected a non-empty array of Tensors/ });
  bad('add(null)', () => o([2]).add(any(null)), { op: 'add', msg: /argument 'other' must be a Tensor or a number, got null/ });
  bad('add of a string', () => o([2]).add(any('1')), { op: 'add', msg: /argument 'other' must be a Tensor or a number, got string 1/ });
  bad('matmul of a number', () => o([2]).matmul(any(2)), { op: 'matmul', msg: /argument 'other' must be a Tensor, got number 2/ });
  // These reached the native layer as a missing argument ("'mask': is required") or failed
  // with "Cannot read properties of null" before.
  bad('maskedFill with a number as mask', () => o([3]).maskedFill(any(3), 0), { op: 'maskedFill', msg: /argument 'mask' must be a Tensor, got number 3/ });
  bad('equal(null)', () => o([3]).equal(any(null)), { op: 'equal', msg: /argument 'other' must be a Tensor, got null/ });
  bad('where with a null condition', () => o([3]).where(any(null), 0), { op: 'where', msg: /argument 'condition' must be a Tensor, got null/ });
  bad('addcmul with a number', () => o([3]).addcmul(any(3), o([3])), { op: 'addcmul', msg: /argument 'tensor1' must be a Tensor/ });
  bad('lerp to a number', () => o([3]).lerp(any(3), 0.5), { op: 'lerp', msg: /argument 'end' must be a Tensor/ });
  bad('zerosLike of a number', () => tn.zerosLike(any(3)), { op: 'zerosLike', msg: /argument 'input' must be a Tensor, got number 3/ });
  // PyTorch: instance_norm(): argument 'weight' must be Tensor, not int. tunet dropped it silently before.
  bad('instanceNorm weight as a number', () => F.instanceNorm(o([1, 2, 3]), { weight: any(3) }), { op: 'instanceNorm', msg: /argument 'weight' must be a Tensor, got number 3/ });
  bad('index with a tensor instead of a list', () => o([3]).index(any(long([0]))), { op: 'index', msg: /indices must be an array of Tensors or nulls/ });
  bad('tn.scope of a non-function', () => tn.scope(any(3)), { op: 'scope', msg: /expects a function, got number/ });
  bad('tn.keep of a number', () => tn.keep(any(3)), { op: 'keep', msg: /expects a Tensor/ });
  bad('an unknown reduction', () => F.mseLoss(o([3]), o([3]), { reduction: any('avg') }), { op: 'mseLoss', msg: /reduction must be 'none', 'mean' or 'sum', got "avg"/, type: TypeError });
});
