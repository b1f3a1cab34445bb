/**
 * tunet against PyTorch, same machine, same run: per-op overhead, matmul, and
 * conv2d forward / forward+backward. Prints seconds per iteration and the ratio
 * tunet / PyTorch (below 1: tunet is faster). Not a test: numbers vary by machine.
 *
 *   npm run bench            (after make build; needs /usr/bin/python3 with torch)
 *   npm run bench -- --quick (smaller sizes)
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import * as tn from 'tunet';

const F = tn.nn.functional;
const quick = process.argv.includes('--quick');
const threads = Number(process.env.BENCH_THREADS ?? 2);

const spec = {
  threads,
  matmul: quick ? [128, 512] : [128, 512, 1024, 2048],
  unet: quick ? [[64, 8, 16, 3]] : [[64, 8, 16, 3], [128, 8, 32, 3]],
  conv: quick
    ? [[8, 16, 64, 16]]
    : [
        [8, 16, 64, 16],
        [8, 32, 128, 32],
        [4, 64, 64, 64],
      ],
};

function timeit(fn: () => void, minTime = 0.5, warmup = 3): number {
  for (let i = 0; i < warmup; i++) fn();
  let n = 1;
  for (;;) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) fn();
    const dt = Number(process.hrtime.bigint() - t0) / 1e9;
    if (dt >= minTime) return dt / n;
    n = Math.max(n * 2, Math.floor((n * minTime) / Math.max(dt, 1e-9)) + 1);
  }
}

function runTunet(): Record<string, number> {
  tn.setNumThreads(threads);
  tn.manualSeed(0);
  const out: Record<string, number> = {};
  const small = tn.arange(0, 6).float();
  out['overhead: add (6 elements)'] = timeit(() => small.add(small).dispose(), 0.3);
  out['overhead: add scalar (6 elements)'] = timeit(() => small.add(1).dispose(), 0.3);
  out['overhead: reshape'] = timeit(() => small.reshape([2, 3]).dispose(), 0.3);
  out['overhead: sum'] = timeit(() => small.sum().dispose(), 0.3);
  for (const n of spec.matmul) {
    const a = tn.randn([n, n]);
    const b = tn.randn([n, n]);
    out[`matmul ${n}x${n}`] = timeit(() => a.matmul(b).dispose());
  }
  for (const [bs, c, hw, co] of spec.conv) {
    const x = tn.randn([bs, c, hw, hw]).requiresGrad_();
    const w = tn.randn([co, c, 3, 3]).mul(0.1).requiresGrad_();
    out[`conv2d 3x3 fwd+bwd ${bs}x${c}x${hw}x${hw} -> ${co}`] = timeit(() =>
      tn.scope(() => {
        F.conv2d(x, w, null, { stride: 1, padding: 1 }).sum().backward();
        x.grad = null;
        w.grad = null;
      }),
    );
    out[`conv2d 3x3 fwd ${bs}x${c}x${hw}x${hw} -> ${co}`] = timeit(() =>
      tn.noGrad(() => F.conv2d(x, w, null, { stride: 1, padding: 1 }).dispose()),
    );
  }
  for (const [size, batch, base, depth] of spec.unet) {
    const model = tn.models.createModel('unet', { inChannels: 1, numClasses: 2, baseWidth: base, depth });
    const opt = new tn.optim.Adam(model.parameters(), { lr: 1e-3 });
    const x = tn.randn([batch, 1, size, size]);
    const y = tn.randint(0, 2, [batch, size, size]);
    out[`U-Net Adam step ${size}x${size} batch ${batch} base ${base} depth ${depth}`] = timeit(
      () =>
        tn.scope(() => {
          opt.zeroGrad(true);
          F.crossEntropy(model.forward(x) as tn.Tensor, y).backward();
          opt.step();
        }),
      2.0,
      2,
    );
    out[`#params U-Net base ${base} depth ${depth}`] = model.numParameters();
    opt.dispose();
    model.dispose();
  }
  return out;
}

function runTorch(): Record<string, number> | null {
  const script = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench', 'torch_bench.py');
  const py = process.env.TORCH_PYTHON ?? '/usr/bin/python3';
  const r = spawnSync(py, [script, JSON.stringify(spec)], { encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(`PyTorch side failed (${py} ${script}):\n${r.stderr || r.error}\n`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

function fmt(s: number): string {
  if (s < 1e-3) return `${(s * 1e6).toFixed(2)} µs`;
  if (s < 1) return `${(s * 1e3).toFixed(2)} ms`;
  return `${s.toFixed(3)} s`;
}

const info = tn.buildInfo();
console.log(`tunet vs PyTorch — libtorch ${info.torchVersion}, ${threads} threads${quick ? ', quick' : ''}`);
const torch = runTorch();
const ours = runTunet();
const counts = Object.keys(ours).filter((k) => k.startsWith('#'));
for (const k of counts) {
  if (torch && torch[k] !== ours[k]) console.log(`warning: ${k.slice(1)} differs: tunet ${ours[k]}, PyTorch ${torch[k]} — not the same model`);
}
const rows = Object.keys(ours).filter((k) => !k.startsWith('#')).map((k) => {
  const t = torch?.[k];
  return { workload: k, tunet: fmt(ours[k]), pytorch: t ? fmt(t) : 'n/a', ratio: t ? (ours[k] / t).toFixed(2) : 'n/a' };
});
const w = Math.max(...rows.map((r) => r.workload.length));
console.log(`${'workload'.padEnd(w)}  ${'tunet'.padStart(10)}  ${'PyTorch'.padStart(10)}  tunet/PyTorch`);
for (const r of rows) console.log(`${r.workload.padEnd(w)}  ${r.tunet.padStart(10)}  ${r.pytorch.padStart(10)}  ${r.ratio.padStart(6)}`);
