// A small seeded generator (xorshift128) for the fuzzer. Every input gets its own generator,
// derived from the run's seed, the target's name and the input's number, so that any one input
// can be made again without replaying the ones before it.

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(...keys: (number | string)[]) {
    // Mix the keys into four words (FNV-1a over their text, then splitmix32 rounds).
    let h = 0x811c9dc5;
    for (const ch of keys.join("\u0000")) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
    const next = (): number => {
      h = (h + 0x9e3779b9) | 0;
      let z = h;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next() || 1;
    this.b = next();
    this.c = next();
    this.d = next();
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
    let t = this.d;
    const s = this.a;
    this.d = this.c;
    this.c = this.b;
    this.b = s;
    t ^= t << 11;
    t ^= t >>> 8;
    this.a = (t ^ s ^ (s >>> 19)) >>> 0;
    return this.a;
  }

  /** An integer in [0, n); n may exceed 2^32 (up to 2^53). */
  int(n: number): number {
    if (n <= 0) return 0;
    if (n <= 2 ** 32) return Math.floor((this.u32() / 2 ** 32) * n);
    return Math.floor(((this.u32() * 2 ** 21 + (this.u32() >>> 11)) / 2 ** 53) * n);
  }

  /** An integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.u32() / 2 ** 32 < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[this.int(items.length)];
  }

  /** An index into `weights`, chosen in proportion to them. */
  weighted(weights: readonly number[]): number {
    let r = this.u32() / 2 ** 32 * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i];
      if (r < 0) return i;
    }
    return weights.length - 1;
  }
}
