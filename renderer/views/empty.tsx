/**
 * Why a chart is empty, in one sentence: the graph does not compile yet, it
 * is compiling, or it has not been trained (and what to press).
 */
import type { ReactNode } from 'react';
import { useTraining } from '../store/training.ts';

export function useWhyEmpty(untrained: ReactNode): ReactNode {
  const run = useTraining((s) => s.run.kind);
  if (run === 'error') return <>Nothing to draw: the graph does not train yet. The Problems list says what to fix.</>;
  if (run === 'compiling') return <>Compiling the graph…</>;
  return untrained;
}
