// Finding libtorch: the build's discovery script reports what it found, and explains failures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tn from 'tunet';

const SCRIPT = join(process.cwd(), 'native', 'find-libtorch.cjs');

test('discovery finds a libtorch >= 1.13 with its include and lib folders and C++ ABI', () => {
  const env = { ...process.env };
  delete env.LIBTORCH;
  const r = spawnSync(process.execPath, [SCRIPT, '--json'], { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
  const found = JSON.parse(r.stdout);
  assert.equal(found.ok, true);
  assert.match(found.version, /^(1\.(1[3-9])|[2-9]\.)/);
  assert.ok(found.abi === 0 || found.abi === 1);
  // The addon reports the version it was built against.
  assert.equal(tn.buildInfo().torchVersion.split('.').slice(0, 2).join('.'), found.version.split('.').slice(0, 2).join('.'));
});

test('a LIBTORCH that holds no libtorch is an error that says what is missing and how to fix it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'no-torch-'));
  const r = spawnSync(process.execPath, [SCRIPT, '--include'], { encoding: 'utf8', env: { ...process.env, LIBTORCH: dir } });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /LIBTORCH is set but does not hold a usable libtorch/);
  assert.match(r.stderr, /ATen\.h/);
  assert.match(r.stderr, /libtorch-dev/);
});

test('the linked libtorch uses a fast BLAS (OpenBLAS), not the reference one', () => {
  // Debian's libtorch links the generic libblas.so.3; the alternatives system picks OpenBLAS once installed.
  tn.zeros([64, 64]).matmul(tn.zeros([64, 64]));
  const lib = tn.blasLibrary();
  assert.ok(lib !== null, 'no BLAS library is mapped');
  assert.match(lib, /openblas|mkl/i, `the process uses ${lib}; install libopenblas0-pthread`);
});
