import { nodeTypes as graphNodeTypes } from './nodes.tsx';
import { FrameView, GroupBoxView } from './groupNodes.tsx';
import { LayerNodeView } from './LayerNode.tsx';
import { BlockNodeView } from './BlockNode.tsx';

/** Declared once at module scope: React Flow re-mounts every node when this object changes. */
export const nodeTypes = { ...graphNodeTypes, 'cw-groupbox': GroupBoxView, 'cw-frame': FrameView, 'cw-layer': LayerNodeView, 'cw-block': BlockNodeView };
