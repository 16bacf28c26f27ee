/**
 * The numbers of one sequence as a table — step, input, state, output,
 * target — so a worked example from the reference text can be checked line
 * by line without hovering.
 */
import type { Graph } from '../../engine/format/types.ts';
import type { Probe } from '../train/protocol.ts';
import { useDocument } from '../store/document.ts';
import { telemetryStore, useTelemetry } from '../store/telemetry.ts';
import { useTraining } from '../store/training.ts';
import { useWhyEmpty } from './empty.tsx';
import { nodeName } from './names.ts';
import { Pane, toCsv } from './Pane.tsx';
import { lossBinding } from './PredictionPane.tsx';
import { readoutNumber } from './UChart.tsx';
import { own } from '../../engine/format/dict.ts';

/** Rows beyond this are left out of the table (the CSV has them all). */
const MAX_ROWS = 200;
/** Units shown per cell of the table. */
const MAX_UNITS = 4;

interface Column { id: string; head: string; title: string; at: (t: number) => number[] }

export function numberColumns(graph: Graph, probe: Probe): Column[] {
  const columns: Column[] = [];
  const values = (id: string) => (t: number) => {
    const p = own(probe.nodes, id);
    return p ? Array.from(p.values.subarray(t * p.size, (t + 1) * p.size)) : [];
  };
  for (const n of graph.nodes) if (n.kind === 'input' && own(probe.nodes, n.id)) columns.push({ id: n.id, head: nodeName(graph, n.id), title: `input ${n.id}`, at: values(n.id) });
  for (const n of graph.nodes) {
    if (n.kind !== 'cell' || !own(probe.nodes, n.id)) continue;
    // A cell's probe values at step t are what was written into it then: the state after step t.
    columns.push({ id: n.id, head: `state ${n.id} after t`, title: `cell ${nodeName(graph, n.id)}: the value written into it at step t (read at t+1)`, at: values(n.id) });
  }
  const b = lossBinding(graph);
  if (b && own(probe.nodes, b.prediction)) columns.push({ id: b.prediction, head: `output ${nodeName(graph, b.prediction)}`, title: `what the loss reads as prediction (${b.prediction})`, at: values(b.prediction) });
  if (b?.target && own(probe.nodes, b.target)) columns.push({ id: b.target, head: `target ${nodeName(graph, b.target)}`, title: `the target stream ${b.target}`, at: values(b.target) });
  return columns;
}

function show(v: number[]): string {
  const head = v.slice(0, MAX_UNITS).map(readoutNumber).join(', ');
  return v.length > MAX_UNITS ? `${head}, … (${v.length})` : head;
}

export function NumbersPane() {
  useTelemetry((s) => s.seq);
  const graph = useDocument((s) => s.graph);
  const sample = useTraining((s) => s.sample);
  const probe = telemetryStore.getState().probe;
  const columns = probe ? numberColumns(graph, probe) : [];
  const T = probe?.T ?? 0;
  const whyEmpty = useWhyEmpty(<>The numbers of one sequence appear here once the graph compiles.</>);
  const csv = () => {
    const p = telemetryStore.getState().probe;
    if (!p) return null;
    const cols = numberColumns(graph, p);
    return toCsv(['t', ...cols.map((c) => c.id)], Array.from({ length: p.T }, (_, t) => [t + 1, ...cols.map((c) => c.at(t).join(' '))]));
  };
  return (
    <Pane id="numbers" title="Numbers" csv={csv} hint={<>Validation sequence {sample}, step by step, with the current weights. Edit a weight in the inspector and the rows change at once.</>}>
      {probe && columns.length > 0 ? (
        <div className="cw-numbers-scroll">
          <table className="cw-numbers" aria-label="Numbers of one sequence">
            <thead>
              <tr><th scope="col">t</th>{columns.map((c) => <th key={c.id} scope="col" title={c.title}>{c.head}</th>)}</tr>
            </thead>
            <tbody>
              {Array.from({ length: Math.min(T, MAX_ROWS) }, (_, t) => (
                <tr key={t}><th scope="row">{t + 1}</th>{columns.map((c) => <td key={c.id}>{show(c.at(t))}</td>)}</tr>
              ))}
            </tbody>
          </table>
          {T > MAX_ROWS ? <p className="cw-note">First {MAX_ROWS} of {T} steps; CSV has them all.</p> : null}
        </div>
      ) : <div className="cw-pane-empty"><span>{whyEmpty}</span></div>}
    </Pane>
  );
}
