import { describe, expect, it } from 'vitest';
import { edgeSymbol } from './derive.ts';

describe('edge labels on the canvas', () => {
  it('show the weight kind, an op input\'s slot, and a tie', () => {
    expect(edgeSymbol({ id: 'e', source: 'x', target: 'g' }, 'full')).toBe('W');
    expect(edgeSymbol({ id: 'e', source: 'a', target: 'd', slot: 1 }, 'identity')).toBe('#1');
    expect(edgeSymbol({ id: 'e', source: 'u', target: 'h', tie: 'U' }, 'full')).toBe('W⇆');
  });
});
