/**
 * The one error type of the engine: every libtorch failure and every argument
 * that the TypeScript layer rejects becomes a TorchError naming the op.
 */
export class TorchError extends Error {
  /** The op that failed, e.g. "aten::conv2d" or "tensor". */
  readonly op: string;
  /** The message without the op prefix. */
  readonly detail: string;

  constructor(detail: string, op: string) {
    super(`${op}: ${detail}`);
    this.name = 'TorchError';
    this.op = op;
    this.detail = detail;
  }
}

/** Throws a TorchError for `op` unless `cond` holds. */
export function check(cond: unknown, op: string, detail: string | (() => string)): asserts cond {
  if (!cond) throw new TorchError(typeof detail === 'function' ? detail() : detail, op);
}
