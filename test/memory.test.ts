// Tensor lifetime: dispose, `using`, tn.scope / tn.keep, storage accounting of
// views, GC finalizers, and native bytes reported to V8.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tn from 'tunet';

const mem = () => tn.memory();

/** Runs fn and returns how much tn.memory() changed across it. */
function delta<T>(fn: () => T): { result: T; tensors: number; bytes: number } {
  const a = mem();
  const result = fn();
  const b = mem();
  return { result, tensors: b.tensors - a.tensors, bytes: b.bytes - a.bytes };
}

describe('dispose', () => {
  it('dispose() drops the live count and the bytes of the storage', () => {
    const before = mem();
    const x = tn.zeros([1000]); // float32: 4000 bytes
    assert.deepEqual(mem(), { tensors: before.tensors + 1, bytes: before.bytes + 4000 });
    assert.equal(x.isDisposed, false);
    x.dispose();
    assert.equal(x.isDisposed, true);
    assert.deepEqual(mem(), before);
    x.dispose(); // twice is a no-op
    assert.deepEqual(mem(), before);
  });

  it('every dtype counts its element size', () => {
    const sizes: [tn.DType, number][] = [['float64', 8], ['float32', 4], ['float16', 2], ['int64', 8], ['int32', 4], ['int16', 2], ['uint8', 1], ['bool', 1]];
    for (const [dtype, size] of sizes) {
      const d = delta(() => tn.zeros([10, 10], { dtype }));
      assert.equal(d.bytes, 100 * size, dtype);
      assert.equal(d.tensors, 1, dtype);
      d.result.dispose();
    }
  });
});

describe('using', () => {
  it('the runtime has Symbol.dispose and Tensor implements it', () => {
    assert.equal(typeof Symbol.dispose, 'symbol');
    const x = tn.zeros([1]);
    assert.equal(typeof x[Symbol.dispose], 'function');
    x[Symbol.dispose]();
    assert.equal(x.isDisposed, true);
  });

  it('disposes at block end, in reverse order, and keeps what was made outside', () => {
    const before = mem().tensors;
    const outside = tn.ones([10]);
    let a: tn.Tensor;
    let b: tn.Tensor;
    {
      using x = tn.zeros([10]);
      using y = x.add(outside);
      a = x;
      b = y;
      assert.equal(mem().tensors, before + 3);
      assert.equal(y.sum().item(), 10); // the sum() result is not `using`: it stays
    }
    assert.equal(a.isDisposed, true);
    assert.equal(b.isDisposed, true);
    assert.equal(outside.isDisposed, false);
    // before + outside + the un-`using`ed sum
    assert.equal(mem().tensors, before + 2);
    outside.dispose();
    assert.equal(mem().tensors, before + 1);
  });

  it('disposes when the block throws', () => {
    const before = mem();
    let x: tn.Tensor | undefined;
    assert.throws(() => {
      using t = tn.zeros([100]);
      x = t;
      throw new Error('boom');
    }, /boom/);
    assert.equal(x?.isDisposed, true);
    assert.deepEqual(mem(), before);
  });
});

describe('tn.scope', () => {
  it('frees everything made inside except the returned tensor', () => {
    const before = mem();
    const made: tn.Tensor[] = [];
    const out = tn.scope(() => {
      const a = tn.ones([100]);
      const b = a.mul(2);
      const c = b.add(1);
      made.push(a, b);
      return c;
    });
    assert.equal(out.isDisposed, false);
    assert.deepEqual(out.toArray().slice(0, 2), [3, 3]);
    assert.ok(made.every((t) => t.isDisposed));
    assert.deepEqual(mem(), { tensors: before.tensors + 1, bytes: before.bytes + 400 });
    out.dispose();
    assert.deepEqual(mem(), before);
  });

  it('keeps tensors returned in an array, an object, nested structures and a Map', () => {
    const before = mem().tensors;
    const r = tn.scope(() => {
      tn.zeros([1]); // garbage
      const a = tn.full([1], 1);
      const b = tn.full([1], 2);
      const c = tn.full([1], 3);
      const d = tn.full([1], 4);
      const e = tn.full([1], 5);
      tn.zeros([1]); // garbage
      return { list: [a, b], nested: { deep: { c } }, map: new Map([['d', d]]), tuple: [[e]] as const, n: 7 };
    });
    assert.equal(mem().tensors, before + 5);
    const got = [r.list[0], r.list[1], r.nested.deep.c, r.map.get('d')!, r.tuple[0][0]].map((t) => t.item());
    assert.deepEqual(got, [1, 2, 3, 4, 5]);
    for (const t of [...r.list, r.nested.deep.c, r.map.get('d')!, r.tuple[0][0]]) t.dispose();
    assert.equal(mem().tensors, before);
  });

  it('leaves tensors made before the scope alone, including in-place results', () => {
    const before = mem().tensors;
    const w = tn.zeros([4]);
    const same = tn.scope(() => {
      w.add_(1); // returns w itself
      const tmp = w.mul(3);
      return w.add_(tmp); // still w
    });
    assert.equal(same, w);
    assert.equal(w.isDisposed, false);
    assert.deepEqual(w.toArray(), [4, 4, 4, 4]);
    assert.equal(mem().tensors, before + 1);
    w.dispose();
  });

  it('nested scopes hand returned tensors to the parent scope', () => {
    const before = mem().tensors;
    let inner: tn.Tensor | undefined;
    let innerGarbage: tn.Tensor | undefined;
    const out = tn.scope(() => {
      inner = tn.scope(() => {
        innerGarbage = tn.ones([2]);
        return innerGarbage.mul(5);
      });
      assert.equal(innerGarbage!.isDisposed, true, 'the inner scope frees its garbage');
      assert.equal(inner.isDisposed, false, 'the inner result survives the inner scope');
      return inner.sum();
    });
    assert.equal(inner!.isDisposed, true, 'the parent frees the inner result it did not return');
    assert.equal(out.item(), 10);
    assert.equal(mem().tensors, before + 1);
    out.dispose();

    // Returned through both levels, it survives both.
    const kept = tn.scope(() => tn.scope(() => tn.ones([1]).mul(3)));
    assert.equal(kept.item(), 3);
    assert.equal(mem().tensors, before + 1);
    kept.dispose();
    assert.equal(mem().tensors, before);
  });

  it('tn.keep exempts a tensor from this and all enclosing scopes', () => {
    const before = mem().tensors;
    let k: tn.Tensor | undefined;
    tn.scope(() => {
      tn.scope(() => {
        k = tn.keep(tn.arange(0, 5));
        tn.ones([1]);
      });
      assert.equal(k!.isDisposed, false);
    });
    assert.equal(k!.isDisposed, false);
    assert.deepEqual(k!.toArray(), [0, 1, 2, 3, 4]);
    assert.equal(mem().tensors, before + 1);
    k!.dispose();
    assert.equal(mem().tensors, before);
  });

  it('a throwing fn still frees everything and rethrows', () => {
    const before = mem();
    const made: tn.Tensor[] = [];
    assert.throws(
      () =>
        tn.scope(() => {
          made.push(tn.ones([1000]), tn.zeros([10]));
          tn.scope(() => made.push(tn.ones([5])));
          made.push(tn.ones([2]).add(tn.ones([3]))); // throws a TorchError
        }),
      (e: unknown) => e instanceof tn.TorchError,
    );
    assert.equal(made.length, 3);
    assert.ok(made.every((t) => t.isDisposed));
    assert.deepEqual(mem(), before);
    assert.equal(tn.inScope(), false);
  });

  it('a gradient read inside a scope frees the handle but not the gradient', () => {
    const x = tn.tensor([1, 2, 3]).requiresGrad_();
    tn.scope(() => x.mul(x).sum().backward());
    const before = mem().tensors;
    const s = tn.scope(() => x.grad!.sum().item());
    assert.equal(s, 12);
    assert.equal(mem().tensors, before);
    const g = x.grad!;
    assert.deepEqual(g.toArray(), [2, 4, 6]);
    g.dispose();
    x.dispose();
  });
});

describe('storage accounting', () => {
  it('views share storage: bytes count it once, until the last view goes', () => {
    const before = mem();
    const x = tn.zeros([1000]); // 4000 bytes
    const v2 = x.view([10, 100]);
    const views = [v2, x.slice(0, 0, 10), v2.t(), x.reshape([20, 50]), x.alias(), x.detach(), x.unsqueeze(0), x.expand([3, 1000]), x.select(0, 5)];
    assert.deepEqual(mem(), { tensors: before.tensors + 1 + views.length, bytes: before.bytes + 4000 });
    x.dispose();
    assert.equal(mem().bytes, before.bytes + 4000, 'the views keep the storage alive');
    for (const v of views.slice(1)) v.dispose();
    assert.equal(mem().bytes, before.bytes + 4000);
    assert.equal(views[0].sum().item(), 0); // still readable (this makes one more 4-byte tensor)
    views[0].dispose();
    assert.equal(mem().bytes, before.bytes + 4);
    assert.equal(mem().tensors, before.tensors + 1);
  });

  it('copies have their own storage', () => {
    const x = tn.zeros([100]);
    const t = x.view([10, 10]).t();
    const d = delta(() => [x.clone(), t.reshape([100]), t.contiguous(), x.contiguous(), x.to('float64')]);
    // clone: 400; reshape and contiguous of a transposed view copy: 400 each;
    // contiguous of a contiguous tensor is x itself: 0; float64: 800
    assert.equal(d.bytes, 400 + 400 + 400 + 0 + 800);
    assert.equal(d.tensors, 5);
    t.dispose();
    for (const t of d.result) t.dispose();
    x.dispose();
  });
});

const child = fileURLToPath(new URL('./helpers/memory-child.js', import.meta.url));

function runChild(mode: string, flags: string[]) {
  const r = spawnSync(process.execPath, [...flags, child, mode], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `child ${mode} failed (status ${r.status}, signal ${r.signal}):\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

describe('garbage collection', () => {
  it('a finalizer frees the tensors the GC collects (child process with --expose-gc)', () => {
    const r = runChild('finalizer', ['--expose-gc']);
    // 1000 small tensors, a base and two views, and the kept tensor and its view
    assert.ok(r.peak.tensors >= r.base.tensors + 1000 + 3 + 2, JSON.stringify(r));
    assert.ok(r.peak.bytes >= r.base.bytes + 1000 * 1000, JSON.stringify(r));
    // Only the kept tensor and its view remain (one 800-byte int64 storage).
    // An exact count also shows the disposed-then-collected tensor was not untracked twice.
    assert.deepEqual(r.after, { tensors: r.base.tensors + 2, bytes: r.base.bytes + 800 }, JSON.stringify(r));
    assert.equal(r.keptOk, true, 'a referenced tensor survives the GC');
    assert.deepEqual(r.end, r.base);
  });

  it('native bytes are reported to V8, so big tensors trigger the GC by themselves, even in a synchronous loop', () => {
    // process.memoryUsage().external does not include napi_adjust_external_memory on
    // Node 20, so this checks the behaviour: in a synchronous loop without --expose-gc,
    // 400 undisposed 10 MB tensors (4 GB, pages never touched) must not all stay alive,
    // while the same loop with 4-byte tensors (same JavaScript garbage) runs hundreds
    // of steps without a collection.
    const r = runChild('pressure-sync', []);
    assert.ok(r.small.peakTensors >= 100, `control: tiny tensors are collected rarely: ${JSON.stringify(r)}`);
    // When V8 collects depends on its heap state and the machine's load, so the bounds are loose but meaningful:
    // big tensors never outlive the tiny-tensor control, and most of them are freed during the loop.
    assert.ok(r.large.peakTensors <= r.small.peakTensors, `big tensors are collected no later than tiny ones: ${JSON.stringify(r)}`);
    assert.ok(r.large.peakTensors < r.steps / 2, `big tensors are collected during the loop: ${JSON.stringify(r)}`);
    assert.ok(r.large.peakBytes < 0.75 * r.allocatedBytes, `peak native bytes stay bounded (4 GB allocated): ${JSON.stringify(r)}`);
  });
});
