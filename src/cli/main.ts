#!/usr/bin/env node
/** The `tunet` command line. */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { TorchError } from '../torch/index.js';
import { registerSummary } from './summary.js';
import { registerTrain } from './train.js';
import { CliError } from './util.js';

function version(): string {
  try {
    return JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

export function buildProgram(): Command {
  const program = new Command('tunet')
    .description('train and diagnose deep networks (U-Net segmentation first) on libtorch')
    .version(version())
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  registerSummary(program);
  registerTrain(program);
  return program;
}

/** Runs the CLI; returns the exit code (0 ok, 2 bad input, 1 internal error). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof CliError || e instanceof TorchError) {
      process.stderr.write(`tunet: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`tunet: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
}

if (import.meta.url === new URL(`file://${process.argv[1]}`).href || process.argv[1]?.endsWith('/tunet')) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
