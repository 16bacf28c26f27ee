/**
 * Matrix products on several threads: the session's WebAssembly memory is
 * shared; each helper thread runs its own instance of the kernels on it and
 * takes a block of C's columns of a large product while the calling thread
 * computes the first block. Elementwise work stays on the calling thread.
 *
 * The engine does not start threads itself (it imports nothing from node or
 * the DOM): the caller injects a ThreadHost that starts a worker which calls
 * serveGemm(init) — cli/threads.ts for node's worker_threads; a browser host
 * would start a Web Worker doing the same (it needs cross-origin isolation
 * for SharedArrayBuffer). The calling thread must be allowed to Atomics.wait
 * (node's main thread, any worker; not a browser's main thread).
 */

/** Starts one helper thread that calls serveGemm(init). */
export interface ThreadHost {
  start(init: GemmWorkerInit): { stop(): void };
}

export interface GemmWorkerInit {
  /** A compiled WebAssembly.Module of the shared-memory kernels. */
  module: object;
  /** The session's shared WebAssembly.Memory. */
  memory: object;
  /** This thread's control block: Int32Array(CONTROL_INTS) on a SharedArrayBuffer. */
  control: Int32Array;
  /** Where this thread's scratch (packed blocks) lives in the memory. */
  scratch: number;
}

/** Control block: [0] job sequence number, [1] last job done, [2] op, [3..13] arguments, [15] ready. */
export const CONTROL_INTS = 16;
export const OP_GEMM32 = 1;
export const OP_GEMM64 = 2;
export const OP_STOP = 3;

interface SharedExports {
  setScratch(at: number): void;
  gemm32(...args: number[]): void;
  gemm64(...args: number[]): void;
}
interface WasmInstanceApi { Instance: new (module: object, imports: object) => { exports: unknown } }

/**
 * The helper thread's loop: waits for a job in its control block, runs it,
 * reports it done; returns on OP_STOP.
 */
export function serveGemm(init: GemmWorkerInit): void {
  const wa = (globalThis as { WebAssembly?: WasmInstanceApi }).WebAssembly!;
  const ex = new wa.Instance(init.module, { env: { memory: init.memory } }).exports as SharedExports;
  ex.setScratch(init.scratch);
  const c = init.control;
  let seen = Atomics.load(c, 0);
  Atomics.store(c, 15, 1);
  for (;;) {
    Atomics.wait(c, 0, seen);
    const seq = Atomics.load(c, 0);
    if (seq === seen) continue;
    seen = seq;
    const op = c[2];
    if (op === OP_STOP) {
      Atomics.store(c, 1, seq);
      Atomics.notify(c, 1);
      return;
    }
    (op === OP_GEMM32 ? ex.gemm32 : ex.gemm64)(c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13]);
    Atomics.store(c, 1, seq);
    Atomics.notify(c, 1);
  }
}

type Gemm = (M: number, N: number, K: number, a: number, sam: number, sak: number, b: number, ldb: number, c: number, ldc: number, acc: number) => void;

/** The calling thread's side: splits large products over the helpers that are ready. */
export class GemmCrew {
  private seq = 0;
  private readonly helpers: { control: Int32Array; stop(): void }[] = [];

  constructor(
    host: ThreadHost, module: object, memory: object, scratches: number[],
    private readonly op: number, private readonly es: number, private readonly minWork: number,
  ) {
    for (const scratch of scratches) {
      const control = new Int32Array(new SharedArrayBuffer(CONTROL_INTS * 4));
      const h = host.start({ module, memory, control, scratch });
      this.helpers.push({ control, stop: h.stop });
    }
  }

  get threads(): number {
    return this.helpers.length + 1;
  }

  /** Helper threads that have started and can take work. */
  ready(): number {
    return this.helpers.filter((h) => Atomics.load(h.control, 15) === 1).length;
  }

  /** C (+)= A·B like the kernel, with C's columns split across the ready threads when the product is large. */
  run(gemm: Gemm, M: number, N: number, K: number, a: number, sam: number, sak: number, b: number, ldb: number, c: number, ldc: number, acc: number): void {
    const ready = M * N * K >= this.minWork && N >= 16 ? this.helpers.filter((h) => Atomics.load(h.control, 15) === 1) : [];
    if (ready.length === 0) {
      gemm(M, N, K, a, sam, sak, b, ldb, c, ldc, acc);
      return;
    }
    const parts = ready.length + 1;
    const chunk = Math.ceil(N / parts / 8) * 8;
    const seq = ++this.seq;
    const es = this.es;
    let n0 = chunk;
    const busy: Int32Array[] = [];
    for (const h of ready) {
      if (n0 >= N) break;
      const w = Math.min(chunk, N - n0);
      const ctl = h.control;
      ctl[2] = this.op;
      ctl[3] = M; ctl[4] = w; ctl[5] = K; ctl[6] = a; ctl[7] = sam; ctl[8] = sak;
      ctl[9] = b + n0 * es; ctl[10] = ldb; ctl[11] = c + n0 * es; ctl[12] = ldc; ctl[13] = acc;
      Atomics.store(ctl, 0, seq);
      Atomics.notify(ctl, 0);
      busy.push(ctl);
      n0 += w;
    }
    gemm(M, Math.min(chunk, N), K, a, sam, sak, b, ldb, c, ldc, acc);
    for (const ctl of busy) {
      for (let done = Atomics.load(ctl, 1); done !== seq; done = Atomics.load(ctl, 1)) Atomics.wait(ctl, 1, done);
    }
  }

  /** Stops the helper threads (a session that used them should be disposed). */
  stop(): void {
    for (const h of this.helpers) {
      const seq = ++this.seq;
      h.control[2] = OP_STOP;
      Atomics.store(h.control, 0, seq);
      Atomics.notify(h.control, 0);
      h.stop();
    }
    this.helpers.length = 0;
  }
}
