// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { NumberField, parseSize, SelectField } from './fields.tsx';

afterEach(cleanup);

describe('inspector fields', () => {
  it('a size field refuses invalid sizes with the reason and commits a valid one', () => {
    const onCommit = vi.fn();
    render(<NumberField label="Size" value={4} parse={parseSize} onCommit={onCommit} />);
    const input = screen.getByLabelText('Size');
    for (const [text, reason] of [['0', 'at least 1'], ['2.5', 'whole number'], ['abc', 'not a number'], ['', 'required']]) {
      fireEvent.change(input, { target: { value: text } });
      fireEvent.keyDown(input, { key: 'Enter' });
      expect(screen.getByRole('alert').textContent).toContain(reason);
      expect(input.getAttribute('aria-invalid')).toBe('true');
    }
    expect(onCommit).not.toHaveBeenCalled();
    fireEvent.change(input, { target: { value: '16' } });
    fireEvent.blur(input);
    expect(onCommit).toHaveBeenCalledWith(16);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('Escape puts the document value back', () => {
    const onCommit = vi.fn();
    render(<NumberField label="Size" value={4} parse={parseSize} onCommit={onCommit} />);
    const input = screen.getByLabelText('Size') as HTMLInputElement;
    fireEvent.change(input, { target: { value: '-3' } });
    fireEvent.keyDown(input, { key: 'Escape' });
    expect(input.value).toBe('4');
    fireEvent.blur(input);
    expect(onCommit).not.toHaveBeenCalled();
  });

  it('a refused option is not committed and says why', () => {
    const onCommit = vi.fn();
    render(<SelectField label="Operation" value="mul" onCommit={onCommit} options={[
      { value: 'mul', label: 'mul' },
      { value: 'one_minus', label: 'one_minus', refused: '1−x takes exactly one input; this node has 2.' },
    ]} />);
    fireEvent.change(screen.getByLabelText('Operation'), { target: { value: 'one_minus' } });
    expect(onCommit).not.toHaveBeenCalled();
    expect(screen.getByRole('alert').textContent).toContain('exactly one input');
  });
});
