/**
 * Inspector controls. Text and number fields commit on Enter or blur (one
 * undo entry per edit) and refuse an invalid value at the control, showing
 * why; Escape puts the document's value back.
 */
import { useEffect, useId, useState, type ReactNode } from 'react';

interface Common {
  label: string;
  help?: string;
}

function FieldShell({ id, label, help, error, children }: Common & { id: string; error?: string | null; children: ReactNode }) {
  return (
    <div className={`cw-field ${error ? 'is-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {error ? <div className="cw-field-error" id={`${id}-error`} role="alert">{error}</div> : help ? <div className="cw-field-help" id={`${id}-help`}>{help}</div> : null}
    </div>
  );
}

export function TextField({ label, help, value, validate, onCommit, placeholder, mono }: Common & {
  value: string;
  validate?: (value: string) => string | null;
  onCommit: (value: string) => void;
  placeholder?: string;
  mono?: boolean;
}) {
  const id = useId();
  const [draft, setDraft] = useState(value);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setDraft(value);
    setError(null);
  }, [value]);
  const commit = () => {
    if (draft === value) {
      setError(null);
      return;
    }
    const reason = validate?.(draft) ?? null;
    setError(reason);
    if (!reason) onCommit(draft);
  };
  return (
    <FieldShell id={id} label={label} help={help} error={error}>
      <input
        id={id}
        className={mono ? 'is-mono' : ''}
        value={draft}
        placeholder={placeholder}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : help ? `${id}-help` : undefined}
        onChange={(event) => {
          setDraft(event.target.value);
          if (error) setError(validate?.(event.target.value) ?? null);
        }}
        onBlur={commit}
        onKeyDown={(event) => {
          if (event.key === 'Enter') commit();
          if (event.key === 'Escape') {
            setDraft(value);
            setError(null);
          }
        }}
      />
    </FieldShell>
  );
}

export function NumberField({ label, help, value, parse, onCommit, step }: Common & {
  value: number | undefined;
  /** The number, or the reason the text is refused. */
  parse: (text: string) => { value: number | undefined } | { error: string };
  onCommit: (value: number | undefined) => void;
  step?: number;
}) {
  const id = useId();
  const shown = value === undefined ? '' : String(value);
  const [draft, setDraft] = useState(shown);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setDraft(shown);
    setError(null);
  }, [shown]);
  const commit = () => {
    if (draft === shown) {
      setError(null);
      return;
    }
    const result = parse(draft);
    if ('error' in result) {
      setError(result.error);
      return;
    }
    setError(null);
    onCommit(result.value);
  };
  return (
    <FieldShell id={id} label={label} help={help} error={error}>
      <input
        id={id}
        type="text"
        inputMode="decimal"
        role="spinbutton"
        aria-valuenow={value}
        value={draft}
        step={step}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : help ? `${id}-help` : undefined}
        onChange={(event) => setDraft(event.target.value)}
        onBlur={commit}
        onKeyDown={(event) => {
          if (event.key === 'Enter') commit();
          // A spin button: the arrows step a whole number by one (Enter or leaving the field commits).
          if ((event.key === 'ArrowUp' || event.key === 'ArrowDown') && /^-?\d+$/.test(draft.trim())) {
            event.preventDefault();
            setDraft(String(Number(draft.trim()) + (event.key === 'ArrowUp' ? 1 : -1) * (step ?? 1)));
          }
          if (event.key === 'Escape') {
            setDraft(shown);
            setError(null);
          }
        }}
      />
    </FieldShell>
  );
}

export interface Option {
  value: string;
  label: string;
  /** Why this option cannot be chosen here (shown, and the option is disabled). */
  refused?: string;
}

export function SelectField({ label, help, value, options, onCommit, disabledReason }: Common & {
  value: string;
  options: Option[];
  onCommit: (value: string) => void;
  disabledReason?: string;
}) {
  const id = useId();
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setError(null), [value]);
  return (
    <FieldShell id={id} label={label} help={disabledReason ?? help} error={error}>
      <select
        id={id}
        value={value}
        disabled={disabledReason !== undefined}
        onChange={(event) => {
          const option = options.find((entry) => entry.value === event.target.value);
          if (option?.refused) {
            setError(option.refused);
            return;
          }
          setError(null);
          onCommit(event.target.value);
        }}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>{option.label}{option.refused ? ' (not here)' : ''}</option>
        ))}
      </select>
    </FieldShell>
  );
}

export function CheckField({ label, help, checked, onCommit }: Common & { checked: boolean; onCommit: (value: boolean) => void }) {
  const id = useId();
  return (
    <div className="cw-field cw-check">
      <input id={id} type="checkbox" checked={checked} onChange={(event) => onCommit(event.target.checked)} aria-describedby={help ? `${id}-help` : undefined} />
      <label htmlFor={id}>{label}</label>
      {help ? <div className="cw-field-help" id={`${id}-help`}>{help}</div> : null}
    </div>
  );
}

/** Positive integer sizes, refused with a reason otherwise. */
export function parseSize(text: string): { value: number } | { error: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { error: 'A size is required.' };
  const n = Number(trimmed);
  if (!Number.isFinite(n)) return { error: `"${trimmed}" is not a number.` };
  if (!Number.isInteger(n)) return { error: 'A size counts units: use a whole number.' };
  if (n < 1) return { error: 'A size must be at least 1.' };
  if (n > 65536) return { error: 'At most 65536 units.' };
  return { value: n };
}
