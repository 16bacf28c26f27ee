/**
 * A generator's exact position: the four xoshiro words (unsigned 32-bit) and
 * the second Box–Muller value waiting to be returned, if any. Plain numbers,
 * so it survives JSON unchanged (a saved training run resumes mid-stream).
 */
export interface RngState {
  words: [number, number, number, number];
  spare: number | null;
}

/**
 * The one seeded random number generator (xoshiro128**, seeded by splitmix32).
 * The same seed gives the same stream on every platform, so a graph, task and
 * seed reproduce a run bit for bit.
 *
 * @example
 * const rng = new Rng(42); rng.uniform(); rng.normal(); rng.int(10);
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private spare: number | null = null;

  constructor(seed: number) {
    let x = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next(); this.s1 = next(); this.s2 = next(); this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** The generator's position (a copy). */
  getState(): RngState {
    return { words: [this.s0, this.s1, this.s2, this.s3], spare: this.spare };
  }

  /**
   * Moves the generator to a saved position: the numbers that follow are the
   * ones that followed when the state was taken.
   *
   * @example
   * const s = rng.getState(); const a = rng.uniform(); rng.setState(s); rng.uniform() === a
   */
  setState(s: RngState): void {
    const ok = s.words.length === 4 && s.words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff) && s.words.some((w) => w !== 0);
    if (!ok || (s.spare !== null && !Number.isFinite(s.spare))) throw new Error('invalid random generator state: four unsigned 32-bit words, not all zero, and a finite spare or null');
    [this.s0, this.s1, this.s2, this.s3] = s.words;
    this.spare = s.spare;
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0; this.s3 ^= this.s1; this.s1 ^= this.s2; this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0; this.s1 >>>= 0; this.s2 >>>= 0; this.s3 >>>= 0;
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** A new independent generator derived from this one (for sub-streams). */
  fork(): Rng {
    return new Rng(this.nextU32());
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
