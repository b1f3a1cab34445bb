#!/usr/bin/env node
// Finds libtorch for the native build: $LIBTORCH, else python3's torch, else
// the system (/usr). Prints what binding.gyp asks for (--include, --libdir,
// --abi, --json); on failure lists every place tried and how to fix it.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const MIN = [1, 13];

function readVersion(includeDirs) {
  for (const dir of includeDirs) {
    const file = path.join(dir, 'torch', 'version.h');
    if (!fs.existsSync(file)) continue;
    const text = fs.readFileSync(file, 'utf8');
    const num = (k) => Number((text.match(new RegExp(`#define TORCH_VERSION_${k} (\\d+)`)) || [])[1]);
    return [num('MAJOR'), num('MINOR'), num('PATCH')];
  }
  return null;
}

function abiOfLibrary(libdir) {
  // libc10 exports std::string in its signatures; the C++11 ABI mangles it with __cxx11.
  const file = path.join(libdir, 'libc10.so');
  const bytes = fs.readFileSync(file);
  return bytes.includes('__cxx11') ? 1 : 0;
}

function check(candidate) {
  const { root, libdir } = candidate;
  const includeDirs = [path.join(root, 'include'), path.join(root, 'include', 'torch', 'csrc', 'api', 'include')];
  const problems = [];
  if (!fs.existsSync(path.join(includeDirs[0], 'ATen', 'ATen.h'))) problems.push(`no ${includeDirs[0]}/ATen/ATen.h`);
  for (const lib of ['libtorch.so', 'libtorch_cpu.so', 'libc10.so']) {
    if (!fs.existsSync(path.join(libdir, lib))) problems.push(`no ${libdir}/${lib}`);
  }
  if (problems.length) return { ok: false, why: problems.join('; ') };
  const version = readVersion(includeDirs);
  if (!version) return { ok: false, why: `no torch/version.h under ${includeDirs.join(' or ')}` };
  if (version[0] < MIN[0] || (version[0] === MIN[0] && version[1] < MIN[1])) {
    return { ok: false, why: `libtorch ${version.join('.')} is older than the supported ${MIN.join('.')}` };
  }
  const abi = candidate.abi ?? abiOfLibrary(libdir);
  return { ok: true, includeDirs, libdir, abi, version: version.join('.'), source: candidate.source };
}

function pythonCandidates() {
  const out = [];
  const seen = new Set();
  for (const py of ['python3', '/usr/bin/python3']) {
    try {
      const text = execFileSync(
        py,
        ['-c', 'import os,torch;print(os.path.dirname(torch.__file__));print(int(torch._C._GLIBCXX_USE_CXX11_ABI))'],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60000 },
      ).trim().split('\n');
      const dir = fs.realpathSync(text[0]);
      if (seen.has(dir)) continue;
      seen.add(dir);
      out.push({ source: `${py}'s torch (${dir})`, root: dir, libdir: path.join(dir, 'lib'), abi: Number(text[1]) });
    } catch {
      out.push({ source: `${py}'s torch`, missing: `${py} cannot import torch` });
    }
  }
  return out;
}

function find() {
  const tried = [];
  const candidates = [];
  if (process.env.LIBTORCH) {
    const root = path.resolve(process.env.LIBTORCH);
    candidates.push({ source: `LIBTORCH=${root}`, root, libdir: path.join(root, 'lib') });
  } else {
    tried.push('LIBTORCH: not set');
  }
  candidates.push(...pythonCandidates());
  for (const libdir of ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib', '/usr/local/lib']) {
    const root = libdir.startsWith('/usr/local') ? '/usr/local' : '/usr';
    candidates.push({ source: `system (${root}/include, ${libdir})`, root, libdir });
  }
  for (const c of candidates) {
    if (c.source.startsWith('LIBTORCH=')) {
      // An explicit choice is not silently replaced by another libtorch.
      const r = check(c);
      if (r.ok) return r;
      throw new Error(
        `tunet: LIBTORCH is set but does not hold a usable libtorch: ${r.why}.\n` +
          'Point LIBTORCH at an unpacked libtorch (the folder with include/ and lib/), version >= 1.13, or unset it ' +
          "to use python3's torch or the system's (Debian: apt-get install libtorch-dev).",
      );
    }
    if (c.missing) {
      tried.push(`${c.source}: ${c.missing}`);
      continue;
    }
    const r = check(c);
    if (r.ok) return r;
    tried.push(`${c.source}: ${r.why}`);
  }
  const msg = [
    'tunet: libtorch was not found. Tried, in order:',
    ...tried.map((t) => `  - ${t}`),
    'Fix one of these:',
    '  - Debian/Ubuntu: sudo apt-get install libtorch-dev libopenblas0-pthread (make test does this)',
    '  - set LIBTORCH to an unpacked libtorch folder (with include/ and lib/), version >= 1.13',
    '  - install PyTorch for python3 so that `python3 -c "import torch"` works',
  ].join('\n');
  throw new Error(msg);
}

function main() {
  let r;
  try {
    r = find();
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
  const arg = process.argv[2] || '--json';
  if (arg === '--include') process.stdout.write(r.includeDirs.join(' '));
  else if (arg === '--libdir') process.stdout.write(r.libdir);
  else if (arg === '--abi') process.stdout.write(String(r.abi));
  else process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
}

if (require.main === module) main();
module.exports = { find };
