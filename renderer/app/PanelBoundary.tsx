/**
 * One error boundary per panel: a bug in a chart, the inspector or the
 * canvas replaces that panel with what failed (its name and the message) and
 * a "Reload this panel" button, while the other panels — and the document in
 * its store, with its autosave — keep working.
 *
 * Test hook: with `?test-hooks&fail-panel=<name>` the named panel throws
 * until its "Reload this panel" is pressed (once per page load), so an end-to-end test can see the
 * boundary, the rest of the editor alive, and the reload recover.
 */
import { Component, useState, type ErrorInfo, type ReactNode } from 'react';

/** Panels whose injected failure was cleared by a reload. */
const recovered = new Set<string>();

function failRequested(name: string): boolean {
  if (typeof window === 'undefined') return false;
  const params = new URLSearchParams(window.location.search);
  return params.has('test-hooks') && params.get('fail-panel') === name;
}

/** Throws while the test hook asks this panel to fail (React retries a failed render: one throw is not enough). */
function Trip({ name }: { name: string }) {
  if (failRequested(name) && !recovered.has(name)) {
    throw new Error(`test failure injected into ${name}`);
  }
  return null;
}

interface Props {
  /** What the user calls this panel ("Inspector", "Loss and metric", "Canvas"). */
  name: string;
  className?: string;
  children: ReactNode;
}

interface State {
  error: Error | null;
}

class Boundary extends Component<Props & { onReload: () => void }, State> {
  override state: State = { error: null };

  static getDerivedStateFromError(error: unknown): State {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    // The console keeps the component stack for a bug report; the panel shows the message.
    console.error(`Cellwright: the ${this.props.name} panel failed`, error, info.componentStack);
  }

  override render() {
    const { error } = this.state;
    if (!error) {
      return (
        <>
          <Trip name={this.props.name} />
          {this.props.children}
        </>
      );
    }
    return (
      <div className={`cw-panel-failed ${this.props.className ?? ''}`} role="alert" aria-label={`${this.props.name} failed`}>
        <p className="cw-panel-failed-title">The {this.props.name} panel stopped working.</p>
        <p className="cw-panel-failed-message">{error.message || error.name}</p>
        <p className="cw-panel-failed-help">Your graph is safe: the rest of the editor still works and your edits are kept. Reload this panel to try again; if it fails again, undo the last change.</p>
        <button type="button" className="cw-small-button" onClick={this.props.onReload}>Reload this panel</button>
      </div>
    );
  }
}

export function PanelBoundary({ name, className, children }: Props) {
  // A new key mounts a fresh boundary (and fresh children): the reload.
  const [generation, setGeneration] = useState(0);
  return (
    <Boundary key={generation} name={name} className={className} onReload={() => {
      recovered.add(name);
      setGeneration((n) => n + 1);
    }}>
      {children}
    </Boundary>
  );
}
