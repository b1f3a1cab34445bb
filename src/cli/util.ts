/** Shared CLI helpers: user-facing errors and option parsing. */

/** An error caused by the user's input: printed without a stack trace, exit code 2. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

export function parseJsonOption(text: string | undefined, flag: string): Record<string, unknown> {
  if (text === undefined) return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new CliError(`${flag} must be JSON (${(e as Error).message}), got '${text}'`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new CliError(`${flag} must be a JSON object, got '${text}'`);
  return v as Record<string, unknown>;
}
