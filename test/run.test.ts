// Whole segmentation runs (tn.train.runSegmentation, `tunet train`, `tunet demo`): the run folder and its
// files, the config round trip and its key checks, and the CLI end to end on a small folder of PNG pairs.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import * as tn from 'tunet';

const T = tn.train;
const base = mkdtempSync(join(tmpdir(), 'tunet-run-'));
after(() => rmSync(base, { recursive: true, force: true }));
const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const PNG_MAGIC = '89504e470d0a1a0a';

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const isPng = (path: string) => readFileSync(path).subarray(0, 8).toString('hex') === PNG_MAGIC;

test('a tiny synthetic run writes every file of the run folder', async () => {
  const out = join(base, 'tiny');
  const before = tn.memory().tensors;
  const s = await T.runSegmentation(
    {
      data: { synthetic: { count: 24, size: 64, seed: 1 }, workers: 0, batchSize: 4, augment: 'none' },
      model: { name: 'unet', depth: 2, baseWidth: 4 },
      train: { epochs: 2 },
      out,
    },
    { progress: false, logger: () => {} },
  );
  assert.equal(tn.memory().tensors, before, 'the run frees every tensor it made');
  // 24 images, val 0.2 → 5 validation, 19 training.
  assert.equal(s.data.val, 5);
  assert.equal(s.data.train, 19);
  assert.equal(s.data.patchSize, 64);
  assert.equal(s.epochs, 2);
  for (const f of ['config.json', 'fingerprint.json', 'metrics.jsonl', 'metrics.json', 'curves.png', 'checkpoints/last.safetensors', 'checkpoints/best.safetensors']) {
    assert.ok(existsSync(join(out, f)), `${f} is missing`);
  }
  assert.ok(isPng(join(out, 'curves.png')));

  const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.epoch), [1, 2]);
  for (const l of lines) for (const k of ['loss', 'val_loss', 'val_seg_dice', 'lr']) assert.equal(typeof l[k], 'number', `metrics.jsonl lacks ${k}`);

  const fp = JSON.parse(readFileSync(join(out, 'fingerprint.json'), 'utf8'));
  assert.equal(fp.count, 19, 'the fingerprint is of the training split');
  assert.equal(fp.channels, 1);

  const m = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
  assert.equal(m.final.epoch, 2);
  assert.ok(m.best.epoch === 1 || m.best.epoch === 2);
  assert.equal(m.evaluation.checkpoint, 'best');
  assert.equal(m.evaluation.images.length, 5);
  for (const img of m.evaluation.images) {
    assert.equal(img.height, 64);
    assert.equal(img.width, 64);
    assert.ok(img.dice === null || (img.dice >= 0 && img.dice <= 1));
  }
  assert.ok(m.evaluation.meanDice >= 0 && m.evaluation.meanDice <= 1);
  assert.ok(m.evaluation.meanIou <= m.evaluation.meanDice + 1e-12, 'IoU ≤ Dice');
  assert.equal(s.evaluation.meanDice, m.evaluation.meanDice);

  const preds = readdirSync(join(out, 'predictions')).sort();
  assert.equal(preds.length, 10, '5 validation images → 5 masks + 5 overlays');
  const ids = m.evaluation.images.map((i: { id: string }) => i.id);
  for (const id of ids) {
    const mask = await sharp(join(out, 'predictions', `${id}_mask.png`)).raw().toBuffer({ resolveWithObject: true });
    assert.equal(mask.info.width, 64);
    assert.ok([...mask.data].every((v) => v === 0 || v === 255), 'binary masks are stored as 0/255');
    const ov = await sharp(join(out, 'predictions', `${id}_overlay.png`)).raw().toBuffer({ resolveWithObject: true });
    assert.equal(ov.info.channels, 3);
  }
  // The best checkpoint loads into the model the config describes.
  const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
  const { name, ...opts } = cfg.model;
  const model = tn.models.createModel(name, opts);
  try {
    const ck = T.loadCheckpoint(join(out, 'checkpoints', 'best.safetensors'));
    const r = model.loadStateDict(ck.modelState);
    ck.dispose();
    assert.deepEqual([r.missingKeys.length, r.unexpectedKeys.length], [0, 0]);
  } finally {
    model.dispose();
  }
});

test('the written config.json resolves to itself and names what came from the data', () => {
  const out = join(base, 'tiny');
  const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
  assert.deepEqual(T.resolveConfig(cfg), cfg);
  assert.equal(cfg.data.patchSize, 64);
  assert.equal(cfg.model.numClasses, 2);
  assert.equal(cfg.model.inChannels, 1);
  assert.equal(cfg.out, out);
  // Defaults.
  const d = T.resolveConfig({});
  assert.equal(d.data.path, null);
  assert.deepEqual(d.data.synthetic, { count: 160, size: 128, seed: 0 });
  assert.equal(d.data.val, 0.2);
  assert.equal(d.data.augment, 'nnunet');
  assert.equal(d.train.optimizer.lr, 1e-3);
  assert.equal(d.train.loss, 'dice-ce');
  assert.equal(d.train.clipGradNorm, 12);
  assert.deepEqual(d.model, { depth: 3, baseWidth: 16, norm: 'batch', name: 'unet' });
  assert.match(d.out, /^runs\/\d{8}-\d{6}-unet$/);
  assert.deepEqual(T.resolveConfig(d), d);
  // A folder replaces the synthetic default.
  const f = T.resolveConfig({ data: { path: 'x' } });
  assert.equal(f.data.synthetic, null);
});

test('config errors name the key', () => {
  assert.throws(() => T.resolveConfig({ train: { epochz: 3 } }), (e: Error) => e instanceof tn.TorchError && /'train\.epochz'/.test(e.message));
  assert.throws(() => T.resolveConfig({ data: { synthetic: { count: 3, colour: 1 } } }), /'data\.synthetic\.colour'/);
  assert.throws(() => T.resolveConfig({ optimiser: {} }), /unknown key 'optimiser'/);
  assert.throws(() => T.resolveConfig({ train: { optimizer: { name: 'lbfgs' } } }), /train\.optimizer\.name/);
  assert.throws(() => T.resolveConfig({ data: { batchSize: 0 } }), /data\.batchSize/);
  assert.throws(() => T.resolveConfig({ data: { path: 'x', synthetic: { count: 3 } } }), /exclude each other/);
  assert.throws(() => T.resolveConfig([]), /must be an object/);
});

test('runSegmentation rejects a non-segmentation model and unknown model options before reading data', async () => {
  const out = join(base, 'rejected');
  await assert.rejects(T.runSegmentation({ model: { name: 'resnet18' }, out }, { progress: false, logger: () => {} }), /classification model.*unet/);
  await assert.rejects(T.runSegmentation({ model: { name: 'unet', depht: 2 }, out }, { progress: false, logger: () => {} }), /depht/);
  assert.ok(!existsSync(out));
});

async function pngPairs(root: string, n: number, size: number): Promise<void> {
  mkdirSync(join(root, 'images'), { recursive: true });
  mkdirSync(join(root, 'masks'), { recursive: true });
  for (let k = 0; k < n; k++) {
    const img = new Uint8Array(size * size);
    const mask = new Uint8Array(size * size);
    const cx = 12 + 4 * k;
    const cy = 20 + 2 * k;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const inside = (x - cx) ** 2 + (y - cy) ** 2 < 81;
        mask[y * size + x] = inside ? 255 : 0;
        img[y * size + x] = inside ? 180 + ((x * 7 + y * 3) % 20) : 20 + ((x * 5 + y * 11) % 15);
      }
    }
    await sharp(img, { raw: { width: size, height: size, channels: 1 } }).toColourspace('b-w').png().toFile(join(root, 'images', `cell${k}.png`));
    await sharp(mask, { raw: { width: size, height: size, channels: 1 } }).toColourspace('b-w').png().toFile(join(root, 'masks', `cell${k}.png`));
  }
}

test('tunet train --data on a folder of PNG pairs works end to end', async () => {
  const root = join(base, 'pairs');
  await pngPairs(root, 6, 48);
  const out = join(base, 'cli-run');
  const r = cli(['train', '--data', root, '--epochs', '1', '--workers', '0', '--out', out, '--no-progress', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.out, out);
  assert.equal(s.epochs, 1);
  assert.equal(s.data.train + s.data.val, 6);
  assert.equal(s.data.patchSize, 48);
  assert.equal(s.evaluation.images.length, s.data.val);
  assert.ok(existsSync(join(out, 'metrics.json')));
  assert.ok(isPng(join(out, 'curves.png')));
  const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
  assert.equal(cfg.data.path, root);
  assert.equal(cfg.train.epochs, 1);
  assert.equal(cfg.data.workers, 0);
});

const b0 = (dir: string) => JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));

test('tunet train --config <run>/config.json repeats a run (flags override it)', () => {
  const out = join(base, 'repeat');
  const r = cli(['train', '--config', join(base, 'tiny', 'config.json'), '--out', out, '--epochs', '1', '--workers', '1', '--no-progress', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.epochs, 1);
  assert.equal(s.data.val, 5);
  assert.equal(b0(out).data.workers, 1, 'batches made by a worker thread');
  const a = JSON.parse(readFileSync(join(base, 'tiny', 'config.json'), 'utf8'));
  const b = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
  assert.deepEqual({ ...b, out: a.out, data: { ...b.data, workers: a.data.workers }, train: { ...b.train, epochs: a.train.epochs } }, a);
});

test('tunet train: bad input fails with exit 2 and one clear message', async () => {
  const root = join(base, 'unmatched');
  await pngPairs(root, 3, 32);
  await sharp(new Uint8Array(32 * 32), { raw: { width: 32, height: 32, channels: 1 } }).png().toFile(join(root, 'images', 'orphan.png'));
  let r = cli(['train', '--data', root, '--epochs', '1', '--out', join(base, 'never')]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /orphan\.png/);
  assert.doesNotMatch(r.stderr, /internal error|at .*\.js:\d+/);
  assert.ok(!existsSync(join(base, 'never')), 'nothing is written for bad data');

  r = cli(['train', '--data', join(base, 'no-such-folder'), '--epochs', '1']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no-such-folder/);

  r = cli(['train', '--epochs', '1']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--data/);

  const { writeFileSync } = await import('node:fs');
  const cfgPath = join(base, 'bad.yaml');
  writeFileSync(cfgPath, 'train:\n  epochs: 1\n  learningRate: 0.1\n');
  r = cli(['train', '--data', root, '--config', cfgPath]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /'train\.learningRate'/);
});

test('tunet demo --help and tunet train --help describe the commands', () => {
  let r = cli(['demo', '--help']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /synthetic cell/);
  assert.match(r.stdout, /--epochs/);
  r = cli(['train', '--help']);
  assert.equal(r.status, 0, r.stderr);
  for (const flag of ['--data', '--config', '--model', '--epochs', '--batch-size', '--lr', '--patch', '--workers', '--out', '--seed', '--json']) assert.match(r.stdout, new RegExp(flag));
});

test('overlay colours: red = prediction only, green = mask only, yellow = both, grey elsewhere; 255 is ignored', () => {
  const grey = new Float32Array([100, 100, 100, 100, 100]);
  const o = T.overlayImage(grey, [1, 0, 1, 0, 0], [0, 1, 1, 0, 255]);
  const px = (i: number) => [o[i], o[5 + i], o[10 + i]];
  assert.deepEqual(px(0), [178, 50, 50]);
  assert.deepEqual(px(1), [50, 178, 50]);
  assert.deepEqual(px(2), [178, 178, 50]);
  assert.deepEqual(px(3), [100, 100, 100]);
  assert.deepEqual(px(4), [100, 100, 100]);
});
