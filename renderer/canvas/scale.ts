/**
 * The thresholds at which the canvas changes how it draws a graph, in one
 * place: the README's "Editor performance" section quotes them (scale.test.ts
 * checks it does so correctly).
 */

/** React Flow draws only the nodes and edges in view for a graph with more nodes than this. */
export const ONLY_VISIBLE_ABOVE = 150;

/** Beyond this many nodes a graph opens on its first part at a readable zoom, not fitted whole (Fit view still shows all). */
export const LARGE_GRAPH = 400;

/**
 * Below this zoom a node's text is a few pixels tall and cannot be read: the
 * canvas draws nodes as tinted boxes and edges without their labels (the
 * `is-far` class), and a large graph's edges as one plain layer (FarEdges.tsx).
 * Sizes do not change, so nothing is measured again; what is not drawn makes
 * dragging in a whole large graph several times cheaper.
 */
export const FAR_ZOOM = 0.4;
