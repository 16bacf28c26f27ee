/**
 * Inspector fields of a node inside a layer's nested step graph (docs/layers.md),
 * selected by clicking it in the layer's expanded drawing (selection id
 * "<layer>/<node>"). Each change is one undoable edit of the layer node; the
 * parameters it makes stale are dropped like any other edit's.
 */
import type { Graph, GraphNode } from '../../engine/format/types.ts';
import { NODE_KIND_META, type FieldMeta } from '../../engine/meta.ts';
import { updateNode } from '../doc/ops.ts';
import { documentStore } from '../store/document.ts';
import { CheckField, NumberField, parseSize, SelectField } from './fields.tsx';

interface LayerLike { id: string; kind: string; graph?: { nodes?: unknown; [k: string]: unknown } }

/** The layer and nested node a selection id names, when it names one. */
export function nestedSelection(graph: Graph, id: string): { layer: LayerLike; node: GraphNode } | null {
  const slash = id.indexOf('/');
  if (slash <= 0) return null;
  const layer = graph.nodes.find((n) => n.id === id.slice(0, slash) && (n.kind as string) === 'layer') as unknown as LayerLike | undefined;
  const nodes = Array.isArray(layer?.graph?.nodes) ? layer.graph.nodes as GraphNode[] : [];
  const node = nodes.find((n) => n && n.id === id.slice(slash + 1));
  return layer && node ? { layer, node } : null;
}

function setField(layerId: string, nodeId: string, field: string, value: unknown): void {
  const graph = documentStore.getState().graph;
  const layer = graph.nodes.find((n) => n.id === layerId) as unknown as LayerLike | undefined;
  if (!layer?.graph || !Array.isArray(layer.graph.nodes)) return;
  const nodes = (layer.graph.nodes as GraphNode[]).map((n) => (n.id === nodeId ? { ...n, [field]: value } : n));
  documentStore.getState().commit(`Edit ${nodeId} in layer ${layerId}`, updateNode(graph, layerId, { graph: { ...layer.graph, nodes } }));
}

export function NestedNodeFields({ layer, node }: { layer: LayerLike; node: GraphNode }) {
  const meta = NODE_KIND_META[node.kind] as { fields: FieldMeta[] } | undefined;
  const record = node as Record<string, unknown>;
  return (
    <>
      <p className="cw-note">
        Node <b>{node.id}</b> ({node.kind}) of layer <b>{layer.id}</b>: changes apply to every copy of the layer. Its values are reported as {layer.id}/{node.id}.
      </p>
      {(meta?.fields ?? []).map((field) => {
        const value = record[field.name];
        const commit = (v: unknown) => setField(layer.id, node.id, field.name, v);
        switch (field.field.type) {
          case 'size':
            return <NumberField key={field.name} label={field.label} help={field.help} value={typeof value === 'number' ? value : undefined} parse={parseSize} onCommit={commit} />;
          case 'boolean':
            return <CheckField key={field.name} label={field.label} help={field.help} checked={typeof value === 'boolean' ? value : field.default === true} onCommit={commit} />;
          case 'enum':
            return (
              <SelectField key={field.name} label={field.label} help={field.help}
                value={typeof value === 'string' ? value : String(field.default ?? field.field.values[0])}
                options={field.field.values.map((v) => ({ value: v, label: v }))} onCommit={commit} />
            );
          default:
            return null;
        }
      })}
    </>
  );
}
