import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FAR_ZOOM, LARGE_GRAPH, ONLY_VISIBLE_ABOVE } from './scale.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('## Editor performance'), readme.indexOf('\n## ', readme.indexOf('## Editor performance') + 1));

describe('the README on how the canvas draws a large graph', () => {
  it('quotes the thresholds the canvas uses', () => {
    expect(section.replace(/\s+/g, ' ')).toContain(`more than ${LARGE_GRAPH} nodes opens on its first part`);
    expect(section.replace(/\s+/g, ' ')).toContain(`below ${Math.round(FAR_ZOOM * 100)} % zoom`);
    expect(section.replace(/\s+/g, ' ')).toContain(`A graph of more than ${ONLY_VISIBLE_ABOVE} nodes zoomed out that far`);
  });
});
