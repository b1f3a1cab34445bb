// The tunet command line: help, summary of models and of a layer spec, clear errors with exit code 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const CLI = join(process.cwd(), 'dist', 'src', 'cli', 'main.js');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

test('--help lists the commands', () => {
  const r = run('--help');
  assert.equal(r.status, 0);
  assert.match(r.stdout, /Usage: tunet/);
  assert.match(r.stdout, /summary/);
  assert.match(run('summary', '--help').stdout, /--layer <spec>/);
});

test('summary --layer compares a standard and a depthwise-separable convolution', () => {
  const r = run('summary', '--layer', '112x112x32:64', '--json');
  assert.equal(r.status, 0, r.stderr);
  const c = JSON.parse(r.stdout);
  // Standard: H·W·Cout·Cin·k² = 112·112·64·32·9; separable: H·W·Cin·k² + H·W·Cin·Cout.
  assert.equal(c.standard.macs, 112 * 112 * 64 * 32 * 9);
  assert.equal(c.separable.macs, 112 * 112 * 32 * 9 + 112 * 112 * 32 * 64);
  assert.equal(c.standard.params, 64 * 32 * 9);
  assert.equal(c.separable.params, 32 * 9 + 32 * 64);
  assert.ok(Math.abs(c.ratio.macs - (1 / 64 + 1 / 9)) < 1e-12);
  assert.match(run('summary', '--layer', '112x112x32:64').stdout, /separable \/ standard: +0\.1267/);
});

test('summary of a registered model prints a per-layer table and totals', () => {
  const r = run('summary', 'unet', '--input', '64', '--config', '{"baseWidth":8,"depth":2}');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /layer\s+type\s+output shape\s+params\s+mult-adds/);
  assert.match(r.stdout, /parameters: +[\d,]+/);
  const j = JSON.parse(run('summary', 'unet', '--input', '64', '--config', '{"baseWidth":8,"depth":2}', '--json').stdout);
  assert.ok(j.totalParams > 0 && j.totalMacs > 0 && j.rows.length > 5);
  assert.match(run('summary', '--list').stdout, /unet\s+segmentation/);
});

test('bad input gives a one-line error and exit code 2, never a stack trace', () => {
  for (const args of [['summary', 'nosuchmodel'], ['summary', '--layer', 'foo'], ['summary', 'unet', '--input', '-3'], ['summary', 'unet', '--config', '{bad'], ['summary', 'unet', '--config', '{"nope":1}'], ['frobnicate']]) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /, `stack trace for ${args.join(' ')}`);
    assert.ok(r.stderr.trim().length > 0);
  }
  assert.match(run('summary', 'nosuchmodel').stderr, /unknown model 'nosuchmodel'; known models: .*unet/);
});
