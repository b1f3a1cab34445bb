/**
 * Small seeded pseudo-random generators for data code (never Math.random), so
 * that generated data, sampling and shuffles repeat exactly for a seed and run
 * the same inside worker threads.
 */

/** Mixes a 32-bit integer (the splitmix32 / murmur3 finaliser). */
export function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** A 32-bit seed derived from a seed and any number of integers (e.g. an image index). */
export function hashSeed(seed: number, ...parts: number[]): number {
  let h = mix32(Math.floor(seed) >>> 0 ^ Math.floor(seed / 4294967296));
  for (const p of parts) h = mix32(h ^ mix32(Math.floor(p) >>> 0));
  return h;
}

/** A seeded generator (mulberry32): uniform floats in [0, 1) and helpers. */
export class Rng {
  private s: number;

  constructor(seed = 0) {
    this.s = hashSeed(seed);
  }

  /** The state, to save and restore a stream (e.g. on resume). */
  get state(): number {
    return this.s;
  }
  set state(v: number) {
    this.s = v >>> 0;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform float in [lo, hi). */
  uniform(lo = 0, hi = 1): number {
    return lo + (hi - lo) * this.next();
  }

  /** A uniform integer in [lo, hi] (both included). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** A standard normal variate (Box–Muller). */
  normal(mean = 0, std = 1): number {
    let u = this.next();
    while (u <= 0) u = this.next();
    const v = this.next();
    return mean + std * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Shuffles an array in place (Fisher–Yates) and returns it. */
  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
    return a;
  }
}
