/**
 * One entry for every model file: ONNX, a torch.save zip (.pt/.pth) or
 * .safetensors, told apart by their first bytes and name.
 *
 * @example
 * const { graph, inputs, outputs } = importModelBytes(bytes, 'net.onnx');
 */
import { importOnnx } from './onnx.ts';
import type { Arch } from './torch.ts';
import { importStateDict, readStateDict } from './torch.ts';
import type { ImportResult } from './types.ts';

/** File names the importers read. */
export const MODEL_FILE = /\.(onnx|pt|pth|bin|safetensors)$/i;

export function importModelBytes(bytes: Uint8Array, name: string, opts: { arch?: Arch } = {}): ImportResult {
  const zip = bytes[0] === 0x50 && bytes[1] === 0x4b;
  const safetensors = bytes.length > 8 && bytes[8] === 0x7b && /\.safetensors$/i.test(name);
  if (zip || safetensors || /\.(pt|pth|bin|safetensors)$/i.test(name)) return importStateDict(readStateDict(bytes, name), name, opts);
  return importOnnx(bytes, name);
}
