// Locating committed fixtures from compiled tests (dist/test/...) or from the sources.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** The path of test/fixtures/<name>. */
export function fixturePath(name: string): string {
  for (const p of [path.resolve(here, '../../../test/fixtures', name), path.resolve(here, '../fixtures', name)]) {
    if (existsSync(p)) return p;
  }
  throw new Error(`fixture ${name} not found`);
}
