/**
 * The see-inside worker: connectivity, explanations of values and gradients,
 * and fixed points, computed on a thread of their own so that training never
 * waits for them. The UI asks the training worker for a copy of the
 * parameters and the probe's sequence (protocol.ts: insideInputs), then sends
 * the question here with them; this worker compiles the graph once per
 * document version (`seq`) and answers with the engine's result or its
 * refusal.
 */
import { z } from 'zod';
import type { Program } from '../../engine/compile.ts';
import { connectivity } from '../../engine/diagnostics/connectivity.ts';
import { explainRun } from '../../engine/diagnostics/explain.ts';
import { explainGradient } from '../../engine/diagnostics/gradient-paths.ts';
import { RunProbe } from '../../engine/diagnostics/run-probe.ts';
import { compileAny } from '../../engine/layers/index.ts';
import type { FromInside, ToInside } from './protocol.ts';

// zod's eval probe would trip a Content-Security-Policy without 'unsafe-eval'.
z.config({ jitless: true });

let compiled: { seq: number; program: Program; probe: RunProbe } | null = null;

function post(message: FromInside): void {
  (self as unknown as { postMessage(m: unknown): void }).postMessage(message);
}

function programFor(m: ToInside): { program: Program; probe: RunProbe } {
  if (!compiled || compiled.seq !== m.seq) {
    const program = compileAny(m.inputs.graph);
    compiled = { seq: m.seq, program, probe: new RunProbe(program) };
  }
  return compiled;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function handle(m: ToInside): void {
  const { theta, batch } = m.inputs;
  const { seq, id } = m;
  switch (m.kind) {
    case 'connectivity': {
      const reply = (matrix: number[][] | null, why: string | null) => post({ type: 'connectivityResult', seq, id, step: m.step, sample: m.sample, matrix, reason: why });
      try {
        const { program } = programFor(m);
        const key = `${m.out}:${m.in}`;
        reply(connectivity(program, theta, batch, [{ out: m.out, in: m.in }]).connectivity[key] ?? null, null);
      } catch (error) {
        reply(null, reason(error));
      }
      return;
    }
    case 'explain':
      try {
        post({ type: 'explained', seq, id, explanation: explainRun(programFor(m).program, theta, batch, m.node, m.t), reason: null });
      } catch (error) {
        post({ type: 'explained', seq, id, explanation: null, reason: reason(error) });
      }
      return;
    case 'explainGradient':
      try {
        post({ type: 'gradientExplained', seq, id, explanation: explainGradient(programFor(m).program, theta, batch, m.node, m.t), reason: null });
      } catch (error) {
        post({ type: 'gradientExplained', seq, id, explanation: null, reason: reason(error) });
      }
      return;
    case 'fixedPoints':
      try {
        const fp = programFor(m).probe.measure(theta, batch, { fixedPoints: { randomSeeds: 60 } }).fixedPoints!;
        post({ type: 'fixedPointsResult', seq, id, points: [...fp.points, ...fp.slowPoints], slow: fp.slowPoints.length, layer: fp.layer ?? null, reason: null });
      } catch (error) {
        post({ type: 'fixedPointsResult', seq, id, points: [], slow: 0, layer: null, reason: reason(error) });
      }
      return;
    default: {
      const never: never = m;
      throw new Error(`unknown question ${JSON.stringify(never)}`);
    }
  }
}

self.addEventListener('message', (event: MessageEvent<ToInside>) => handle(event.data));
