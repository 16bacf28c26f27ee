import type { RefObject } from 'react';
import { useEffect, useState } from 'react';

/**
 * A number that changes whenever the element is resized: put it in a drawing
 * effect's dependencies so a canvas is redrawn at its new size.
 */
export function useResizeTick(ref: RefObject<HTMLElement | null>): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setTick((n) => n + 1));
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return tick;
}
