/**
 * zod schemas of the graph format v1 (shared/spec/graph-format.md): the shape
 * of one node, edge, position and tensor. Objects are loose, so unknown fields
 * pass through untouched. Allowed values come from engine/meta.ts.
 *
 * These schemas check one element at a time; relations between elements
 * (ids, sizes, ports, loops) are checked in validate.ts.
 */
import { z } from 'zod';
import { INIT_KINDS, LOSSES, NODE_KIND_META, NODE_KINDS, WEIGHT_KINDS } from '../meta.ts';
import { getActivation } from '../ops/activations.ts';
import { getOp } from '../ops/ops.ts';
import type { NodeKind, Port } from './types.ts';

/** Ports of a loss node's incoming edges. */
export const PORTS: readonly Port[] = ['prediction', 'target'];

/** The allowed values of an enum field of a node kind, read from meta. */
export function enumValues(kind: NodeKind, field: string): readonly string[] {
  const f = NODE_KIND_META[kind].fields.find((x) => x.name === field);
  return f && f.field.type === 'enum' ? f.field.values : [];
}

function oneOf(values: readonly string[]): z.ZodEnum {
  return z.enum(values as [string, ...string[]]);
}

export const sizeSchema = z.number().int().positive();
export const idSchema = z.string().min(1);
export const positionSchema = z.looseObject({ x: z.number(), y: z.number() });

const common = {
  id: idSchema,
  kind: oneOf(NODE_KINDS),
  label: z.string().optional(),
  position: positionSchema.optional(),
};

/** Fields every node has, whatever its kind (used when the kind is unknown). */
export const nodeBaseSchema = z.looseObject({ ...common, kind: z.unknown() });

export const nodeSchemas: Record<NodeKind, z.ZodType> = {
  input: z.looseObject({ ...common, size: sizeSchema, reverse: z.boolean().optional() }),
  target: z.looseObject({ ...common, size: sizeSchema }),
  cell: z.looseObject({ ...common, size: sizeSchema, initial: oneOf(enumValues('cell', 'initial')).optional(), zoneout: z.number().optional() }),
  // Activations and ops are checked against their registries when validating (so registered ones count).
  gate: z.looseObject({ ...common, size: sizeSchema, activation: z.string().refine((v) => getActivation(v) !== undefined), bias: z.boolean().optional() }),
  // The op's own fields (factor, eps, p, start, affine) are checked against the op registry in validate.ts.
  op: z.looseObject({ ...common, op: z.string().refine((v) => getOp(v) !== undefined), size: sizeSchema.optional() }),
  loss: z.looseObject({ ...common, loss: oneOf(LOSSES), steps: oneOf(enumValues('loss', 'steps')).optional() }),
};

export const edgeSchema = z.looseObject({
  id: idSchema,
  source: z.string(),
  target: z.string(),
  weight: oneOf(WEIGHT_KINDS).optional(),
  init: oneOf(INIT_KINDS).optional(),
  initScale: z.number().optional(),
  trainable: z.boolean().optional(),
  port: oneOf(PORTS).optional(),
  label: z.string().optional(),
  slot: z.number().int().nonnegative().optional(),
  tie: z.string().optional(),
});

export const tensorSchema = z.looseObject({
  shape: z.array(z.number().int().nonnegative()),
  data: z.array(z.unknown()),
});

/** Top-level optional fields and their expected types. */
export const graphFieldSchemas: Record<string, { schema: z.ZodType; expected: string }> = {
  name: { schema: z.string(), expected: 'a string' },
  description: { schema: z.string(), expected: 'a string' },
  task: { schema: z.looseObject({}), expected: 'an object' },
  training: { schema: z.looseObject({}), expected: 'an object' },
};
