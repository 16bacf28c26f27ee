import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type MouseEvent as ReactMouseEvent } from 'react';
import {
  Background, BackgroundVariant, ConnectionLineType, Controls, MiniMap, ReactFlow, useReactFlow, useStore as useFlowStore,
  type Connection, type EdgeChange, type FinalConnectionState, type IsValidConnection, type NodeChange, type OnConnectEnd,
} from '@xyflow/react';
import { useShallow } from 'zustand/react/shallow';
import type { NodeKind, Port } from '../../engine/format/types.ts';
import { connect } from '../doc/ops.ts';
import { connectionRefusal } from '../doc/rules.ts';
import { documentStore, useDocument } from '../store/document.ts';
import { uiStore, useUi } from '../store/ui.ts';
import { indexProblems, useValidation, type ValidationState } from '../store/validation.ts';
import { activeDocument, activeGraph, commitActive, openBlock, useActiveGraph, useBlockView } from '../store/blockView.ts';
import { blockProblems, blockSizes } from '../doc/blockEdit.ts';
import { definitionOf, instanceOf } from '../doc/blocks.ts';
import { BlockEditBar } from './BlockEditBar.tsx';
import { addNodeOfKind, importModelFile, insertTemplate, isModelFile, placeLibraryBlock, registerFlow } from '../app/commands.ts';
import { handleEdgeChanges, handleNodeChanges } from './changes.ts';
import { createEdgeDeriver, createNodeDeriver } from './derive.ts';
import { edgeTypes, type GraphFlowEdge } from './edges.tsx';
import { FarEdges } from './FarEdges.tsx';
import { FAR_ZOOM, LARGE_GRAPH, ONLY_VISIBLE_ABOVE } from './scale.ts';
import { type GraphFlowNode } from './nodes.tsx';
import { nodeTypes } from './nodeTypes.ts';
import { computeGroupView, GROUP_PREFIX, resolveEnd } from './groupView.ts';
import { CanvasMenu, type MenuAt } from './CanvasMenu.tsx';

export const PALETTE_MIME = 'application/x-cellwright-palette';

export type PalettePayload = { type: 'kind'; kind: NodeKind; preset?: Record<string, string | number | boolean> } | { type: 'template'; key: string } | { type: 'block'; name: string };

const KIND_COLOR: Record<NodeKind, string> = {
  input: 'var(--cw-k-input)', target: 'var(--cw-k-target)', cell: 'var(--cw-k-cell)',
  gate: 'var(--cw-k-gate)', op: 'var(--cw-k-op)', loss: 'var(--cw-k-loss)',
};

const FIT_MAX_ZOOM = 1.25;
/** Room around the graph after fit view, in screen pixels. */
const FIT_MARGIN = 24;
const MINIMAP_SIZE = { width: 136, height: 90 };
// Props handed to React Flow are module constants: a new array or object on
// every render (a drag re-renders the canvas each frame) makes React Flow
// update its store again, and every node, edge and handle re-checks what it shows.
const SNAP_GRID: [number, number] = [8, 8];
const MULTI_SELECT_KEYS = ['Shift', 'Meta', 'Control'];
const PRO_OPTIONS = { hideAttribution: true };
const minimapColor = (node: GraphFlowNode): string => (node.data.node ? KIND_COLOR[node.data.node.kind] ?? 'var(--cw-accent)' : node.type === 'cw-groupbox' ? 'var(--cw-accent)' : 'transparent');

/**
 * Fit-view padding that keeps the graph clear of what floats over the
 * canvas: the "Start here" hint at the top, and at the bottom the minimap
 * (right) and the zoom controls and legend (left). The graph ends above the
 * tallest of them, so no node is hidden under the minimap after a fit.
 */
function fitOptions(canvas: HTMLElement | null): { padding: { top: `${number}px`; bottom: `${number}px`; left: `${number}px`; right: `${number}px` }; maxZoom: number } {
  const px = (n: number): `${number}px` => `${Math.round(n)}px`;
  let top = FIT_MARGIN;
  let bottom = FIT_MARGIN;
  const wrap = canvas?.parentElement;
  if (canvas && wrap) {
    const box = canvas.getBoundingClientRect();
    for (const el of Array.from(wrap.querySelectorAll<HTMLElement>('.cw-hint'))) {
      const r = el.getBoundingClientRect();
      if (r.height > 0) top = Math.max(top, r.bottom - box.top + 12);
    }
    for (const el of Array.from(canvas.querySelectorAll<HTMLElement>('.react-flow__minimap, .react-flow__controls'))) {
      const r = el.getBoundingClientRect();
      if (r.height > 0) bottom = Math.max(bottom, box.bottom - r.top + 10);
    }
    // Keep at least half the height for the graph on a short canvas.
    const spare = box.height / 2;
    if (top + bottom > spare) {
      const k = spare / (top + bottom);
      top *= k;
      bottom *= k;
    }
  }
  return { padding: { top: px(top), bottom: px(bottom), left: px(FIT_MARGIN), right: px(FIT_MARGIN) }, maxZoom: FIT_MAX_ZOOM };
}

const isFar = (s: { transform: [number, number, number] }): boolean => s.transform[2] < FAR_ZOOM;

const NO_EDGES: GraphFlowEdge[] = [];

const onlyVisible = (graph: { nodes: unknown[] }): boolean => graph.nodes.length > ONLY_VISIBLE_ABOVE;

/** How many nodes, from the top left, the first view of a large graph shows. */
const FIRST_VIEW_NODES = 40;

/**
 * The view a newly opened graph starts with: all of it, or for a large graph
 * its top-left part — a 2,000-node graph fitted whole is unreadable and
 * draws every node (slow to open and to drag in).
 */
function startView(rf: ReturnType<typeof useReactFlow<GraphFlowNode, GraphFlowEdge>>, canvas: HTMLElement | null): void {
  const nodes = activeGraph().nodes;
  if (nodes.length <= LARGE_GRAPH) {
    void rf.fitView(fitOptions(canvas));
    return;
  }
  const corner = (n: { position?: { x: number; y: number } }) => (n.position?.x ?? 0) + (n.position?.y ?? 0);
  const first = [...nodes].sort((a, b) => corner(a) - corner(b)).slice(0, FIRST_VIEW_NODES).map((n) => ({ id: n.id }));
  void rf.fitView({ ...fitOptions(canvas), nodes: first, minZoom: 0.5 });
}

function toPort(handle: string | null | undefined): Port | undefined {
  return handle === 'prediction' || handle === 'target' ? handle : undefined;
}

/** The ports of block instances (engine/blocks) a connection joins: handles `out:<output>` and `in:<port>`. */
function blockEnds(source: { node: string; handle: string | null | undefined }, target: { node: string; handle: string | null | undefined }): { sourcePort?: string; blockPort?: string } {
  const out: { sourcePort?: string; blockPort?: string } = {};
  if (!source.node.startsWith(GROUP_PREFIX) && source.handle?.startsWith('out:')) out.sourcePort = source.handle.slice(4);
  if (!target.node.startsWith(GROUP_PREFIX) && target.handle?.startsWith('in:')) out.blockPort = target.handle.slice(3);
  return out;
}

export function Canvas() {
  const docGraph = useDocument((state) => state.graph);
  const graph = useActiveGraph();
  const generation = useDocument((state) => state.generation);
  const block = useBlockView((state) => state.block);
  const switches = useBlockView((state) => state.switches);
  const fullValidation = useValidation((state) => state);
  // Inside a block (Edit block): the document's problems and sizes under the inner ids.
  const validation: ValidationState = useMemo(() => {
    if (block === null || graph === docGraph) return fullValidation;
    return { graph, sizes: blockSizes(docGraph, block, fullValidation.sizes), ...indexProblems(graph, blockProblems(docGraph, block, fullValidation.problems)) };
  }, [block, graph, docGraph, fullValidation]);
  const outputs = useMemo(() => new Set(block !== null ? definitionOf(docGraph, block)?.outputs ?? [] : []), [block, docGraph]);
  const { selectedNodes, selectedEdges, measured, dragging, minimap, theme, focusRequest, collapsedGroups } = useUi(useShallow((state) => ({
    collapsedGroups: state.collapsedGroups,
    selectedNodes: state.selectedNodes,
    selectedEdges: state.selectedEdges,
    measured: state.measured,
    dragging: state.dragging,
    minimap: state.minimap,
    theme: state.theme,
    focusRequest: state.focusRequest,
  })));
  const rf = useReactFlow<GraphFlowNode, GraphFlowEdge>();
  const far = useFlowStore(isFar);
  const wrapper = useRef<HTMLDivElement>(null);
  const deriveNodes = useMemo(() => createNodeDeriver(), []);
  const deriveEdges = useMemo(() => createEdgeDeriver(), []);

  const groups = useMemo(
    () => computeGroupView(graph, collapsedGroups, selectedNodes, measured, dragging, validation),
    [graph, collapsedGroups, selectedNodes, measured, dragging, validation],
  );
  const nodes = useMemo(() => {
    let graphNodes = deriveNodes({ graph, problems: validation, sizes: validation.sizes, selected: selectedNodes, measured, dragging, hidden: groups.hiddenNodes, estimate: onlyVisible(graph) });
    // Inside a block its ports are marked: input nodes are its input ports, `outputs` its output ports.
    if (block !== null) {
      graphNodes = graphNodes.map((n) => {
        const kind = n.data.node?.kind;
        if (outputs.has(n.id)) return { ...n, className: `${n.className ?? ''} cw-block-port cw-block-out`.trim() };
        if (kind === 'input') return { ...n, className: `${n.className ?? ''} cw-block-port cw-block-in`.trim() };
        return n;
      });
    }
    if (groups.frames.length === 0 && groups.boxes.length === 0) return graphNodes;
    return [...groups.frames, ...graphNodes, ...groups.boxes] as unknown as GraphFlowNode[];
  }, [deriveNodes, graph, validation, selectedNodes, measured, dragging, groups, block, outputs]);
  const edges = useMemo(
    () => deriveEdges({ graph, problems: validation, selected: selectedEdges, hidden: groups.hiddenEdges, boxOf: groups.boxOf }),
    [deriveEdges, graph, validation, selectedEdges, groups],
  );

  useEffect(() => {
    registerFlow({
      fitView: () => void rf.fitView({ ...fitOptions(wrapper.current), duration: 250 }),
      centerOn: (id) => {
        const node = rf.getInternalNode(id);
        if (!node) return;
        const w = node.measured.width ?? 0;
        const h = node.measured.height ?? 0;
        void rf.setCenter(node.internals.positionAbsolute.x + w / 2, node.internals.positionAbsolute.y + h / 2, { zoom: Math.max(rf.getZoom(), 1), duration: 300 });
      },
      viewportCenter: () => {
        const box = wrapper.current?.getBoundingClientRect();
        if (!box) return { x: 0, y: 0 };
        return rf.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 });
      },
      zoomIn: () => void rf.zoomIn({ duration: 150 }),
      zoomOut: () => void rf.zoomOut({ duration: 150 }),
      measuredSize: (id) => uiStore.getState().measured.get(id),
    });
    return () => registerFlow(null);
  }, [rf]);

  // A new document: fit it once its nodes have been measured (an empty one starts at 100 %).
  // Until the user pans, zooms or edits, the view stays fitted as the canvas
  // settles (the dock, the run bar's messages and the hint change its size after load).
  const autoFit = useRef(false);
  const fittedGraph = useRef<unknown>(null);
  useEffect(() => {
    autoFit.current = false;
    const handle = window.setTimeout(() => {
      if (activeGraph().nodes.length > 0) {
        startView(rf, wrapper.current);
        autoFit.current = true;
        fittedGraph.current = documentStore.getState().graph;
      } else void rf.setViewport({ x: 0, y: 0, zoom: 1 });
    }, 60);
    return () => window.clearTimeout(handle);
  }, [generation, switches, rf]);
  useEffect(() => {
    const el = wrapper.current;
    if (!el) return undefined;
    let frame = 0;
    const observer = new ResizeObserver(() => {
      if (!autoFit.current) return;
      if (documentStore.getState().graph !== fittedGraph.current) {
        autoFit.current = false;
        return;
      }
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        if (autoFit.current) startView(rf, wrapper.current);
      });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      cancelAnimationFrame(frame);
    };
  }, [rf]);
  // A pan or zoom by the user (an event, not a programmatic move) ends the automatic fitting.
  const onMoveStart = useCallback((event: MouseEvent | TouchEvent | null) => {
    if (event) autoFit.current = false;
  }, []);

  useEffect(() => {
    if (!focusRequest) return;
    const node = rf.getInternalNode(focusRequest.id);
    if (!node) return;
    void rf.setCenter(node.internals.positionAbsolute.x + (node.measured.width ?? 0) / 2, node.internals.positionAbsolute.y + (node.measured.height ?? 0) / 2, { zoom: Math.max(rf.getZoom(), 1), duration: 300 });
  }, [focusRequest, rf]);

  const onNodesChange = useCallback((changes: NodeChange<GraphFlowNode>[]) => handleNodeChanges(changes, uiStore, activeDocument), []);
  const onEdgesChange = useCallback((changes: EdgeChange<GraphFlowEdge>[]) => handleEdgeChanges(changes, uiStore), []);

  const isValidConnection: IsValidConnection = useCallback((c) => {
    const source = resolveEnd(c.source, c.sourceHandle);
    const target = resolveEnd(c.target, c.targetHandle);
    return connectionRefusal(activeGraph(), { source: source.node, target: target.node, port: toPort(target.handle), ...blockEnds(source, target) }) === null;
  }, []);

  const onConnect = useCallback((c: Connection) => {
    const source = resolveEnd(c.source, c.sourceHandle);
    const target = resolveEnd(c.target, c.targetHandle);
    const result = connect(activeGraph(), { source: source.node, target: target.node, port: toPort(target.handle), ...blockEnds(source, target) });
    if (!result.ok) {
      uiStore.getState().notify('error', result.reason);
      return;
    }
    commitActive('Connect', result.graph);
    uiStore.getState().select([], [result.edgeId]);
  }, []);

  // Say why a drop on a node was refused (isValidConnection only greys the handle).
  const onConnectEnd: OnConnectEnd = useCallback((event, state: FinalConnectionState) => {
    if (!state.fromNode) return;
    if (!state.toNode) {
      // Dropped on a node with no matching handle (an input, a target): say why nothing happened.
      const point = 'changedTouches' in event ? event.changedTouches[0] : event;
      const over = document.elementFromPoint(point.clientX, point.clientY)?.closest('.react-flow__node')?.getAttribute('data-id');
      if (!over || over === state.fromNode.id || state.fromHandle?.type === 'target') return;
      const reason = connectionRefusal(activeGraph(), { source: state.fromNode.id, target: over });
      if (reason) uiStore.getState().notify('error', reason);
      return;
    }
    if (state.isValid !== false) return;
    const fromSource = state.fromHandle?.type !== 'target';
    const a = resolveEnd(state.fromNode.id, state.fromHandle?.id);
    const b = resolveEnd(state.toNode.id, state.toHandle?.id);
    const source = fromSource ? a.node : b.node;
    const target = fromSource ? b.node : a.node;
    const port = toPort(fromSource ? b.handle : a.handle);
    const reason = connectionRefusal(activeGraph(), { source, target, port })
      ?? (fromSource ? 'Drop on an input handle (the dot on the left of a node).' : 'Drop on an output handle (the dot on the right of a node).');
    uiStore.getState().notify('error', reason);
  }, []);

  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(PALETTE_MIME) && !event.dataTransfer.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback((event: DragEvent) => {
    // A model file dropped on the canvas is imported (engine/import).
    const dropped = event.dataTransfer.files?.[0];
    if (dropped && isModelFile(dropped.name)) {
      event.preventDefault();
      void importModelFile(dropped);
      return;
    }
    const raw = event.dataTransfer.getData(PALETTE_MIME);
    if (!raw) return;
    event.preventDefault();
    const at = rf.screenToFlowPosition({ x: event.clientX, y: event.clientY });
    const payload = JSON.parse(raw) as PalettePayload;
    if (payload.type === 'kind') addNodeOfKind(payload.kind, at, payload.preset);
    else if (payload.type === 'block') placeLibraryBlock(payload.name, at);
    else insertTemplate(payload.key, at);
  }, [rf]);

  const onNodeDoubleClick = useCallback((_event: unknown, node: { id: string }) => {
    if (node.id.startsWith(GROUP_PREFIX)) uiStore.getState().toggleGroup(node.id.slice(GROUP_PREFIX.length));
    else {
      // Double-click on a block instance: edit the block's inside.
      const inst = instanceOf(activeGraph(), node.id);
      if (inst && openBlock(inst.block, node.id)) uiStore.getState().select([]);
    }
  }, []);

  const onFitView = useCallback(() => void rf.fitView(fitOptions(wrapper.current)), [rf]);

  // Right-click on a node or a selection: the canvas menu (Group as block); the node joins the selection first.
  const [menuAt, setMenuAt] = useState<MenuAt | null>(null);
  const closeMenu = useCallback(() => setMenuAt(null), []);
  const openMenu = useCallback((event: ReactMouseEvent, ids: string[]) => {
    event.preventDefault();
    const ui = uiStore.getState();
    const graphIds = ids.filter((id) => !id.startsWith(GROUP_PREFIX));
    if (graphIds.some((id) => !ui.selectedNodes.has(id))) ui.select(graphIds);
    const box = wrapper.current?.getBoundingClientRect();
    setMenuAt({ x: event.clientX - (box?.left ?? 0), y: event.clientY - (box?.top ?? 0) });
  }, []);
  const onNodeContextMenu = useCallback((event: ReactMouseEvent, node: { id: string }) => openMenu(event, [node.id]), [openMenu]);
  const onSelectionContextMenu = useCallback((event: ReactMouseEvent, selected: { id: string }[]) => openMenu(event, selected.map((n) => n.id)), [openMenu]);

  const onPaneClick = useCallback(() => {
    const ui = uiStore.getState();
    if (ui.selectedNodes.size > 0 || ui.selectedEdges.size > 0) ui.select([]);
  }, []);

  // A large graph zoomed out past reading: its edges are one plain layer (FarEdges), not React Flow edges.
  const farEdges = far && onlyVisible(graph);

  return (
    <div className={`${far ? 'cw-canvas is-far' : 'cw-canvas'}${block !== null ? ' is-block' : ''}`} ref={wrapper} onDragOver={onDragOver} onDrop={onDrop} aria-label="Canvas">
      <ReactFlow<GraphFlowNode, GraphFlowEdge>
        onMoveStart={onMoveStart}
        nodes={nodes}
        edges={farEdges ? NO_EDGES : edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        onConnectEnd={onConnectEnd}
        isValidConnection={isValidConnection}
        onPaneClick={onPaneClick}
        onNodeDoubleClick={onNodeDoubleClick}
        onNodeContextMenu={onNodeContextMenu}
        onSelectionContextMenu={onSelectionContextMenu}
        zoomOnDoubleClick={false}
        colorMode={theme}
        snapToGrid
        snapGrid={SNAP_GRID}
        deleteKeyCode={null}
        selectionKeyCode="Shift"
        multiSelectionKeyCode={MULTI_SELECT_KEYS}
        connectionLineType={ConnectionLineType.Bezier}
        connectionRadius={28}
        minZoom={0.1}
        maxZoom={3}
        proOptions={PRO_OPTIONS}
        onlyRenderVisibleElements={onlyVisible(graph)}
      >
        {farEdges ? <FarEdges nodes={nodes} edges={edges} dragging={dragging} /> : null}
        <Background variant={BackgroundVariant.Dots} gap={16} size={1.2} />
        {/* The control's own fit runs first with React Flow's padding; ours then leaves room for the overlays. */}
        <Controls showInteractive={false} position="bottom-left" onFitView={onFitView} />
        {minimap ? (
          <MiniMap<GraphFlowNode> pannable zoomable position="bottom-right" nodeColor={minimapColor} nodeStrokeWidth={0} nodeBorderRadius={3} maskColor="var(--cw-minimap-mask)" ariaLabel="Minimap" style={MINIMAP_SIZE} />
        ) : null}
      </ReactFlow>
      {block !== null ? <BlockEditBar block={block} /> : null}
      {menuAt ? <CanvasMenu at={menuAt} onClose={closeMenu} /> : null}
    </div>
  );
}
