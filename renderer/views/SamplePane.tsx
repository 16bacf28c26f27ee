/**
 * Text drawn from a character model as it trains (text task): the engine
 * samples one character at a time in the worker (engine/tasks/sample.ts);
 * this pane asks again at most once a second while training moves on, and
 * whenever the temperature or the prime changes.
 */
import { useEffect, useRef, useState } from 'react';
import { requestSample } from '../train/client.ts';
import { useTelemetry } from '../store/telemetry.ts';
import { useTraining } from '../store/training.ts';
import { Pane } from './Pane.tsx';

const LENGTH = 240;
const EVERY_MS = 1000;

export function SamplePane() {
  const seq = useTelemetry((s) => s.seq);
  const isText = useTraining((s) => s.info?.task?.name === 'text');
  const [temperature, setTemperature] = useState(0.8);
  const [prime, setPrime] = useState('the ');
  const [result, setResult] = useState<{ text: string | null; reason: string | null; step: number } | null>(null);
  const last = useRef(0);
  const pending = useRef(false);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    if (!isText) return;
    const ask = () => {
      timer.current = null;
      if (pending.current) return;
      pending.current = true;
      last.current = Date.now();
      void requestSample({ prime, length: LENGTH, temperature, seed: 1 }).then((m) => {
        pending.current = false;
        setResult({ text: m.text, reason: m.reason, step: m.step });
      });
    };
    const wait = Math.max(0, EVERY_MS - (Date.now() - last.current));
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(ask, wait);
    return () => {
      if (timer.current) clearTimeout(timer.current);
      timer.current = null;
    };
  }, [seq, temperature, prime, isText]);

  return (
    <Pane
      id="sample"
      title="Sampled text"
      csv={() => (result?.text ? `prime,temperature,step,text\n"${prime.replace(/"/g, '""')}",${temperature},${result.step},"${result.text.replace(/"/g, '""')}"\n` : null)}
      hint={isText ? <>What the model writes after “{prime}”, one character at a time, each drawn from its prediction. Low temperature: the likeliest characters; high: more surprises.</> : null}
      tools={isText ? (
        <>
          <label className="cw-pane-check" title="Softmax temperature: 0 picks the likeliest character">
            temperature
            <input type="range" aria-label="Temperature" min={0} max={2} step={0.05} value={temperature} onChange={(e) => setTemperature(Number(e.target.value))} />
            <output className="cw-temp">{temperature.toFixed(2)}</output>
          </label>
        </>
      ) : null}
    >
      {isText ? (
        <div className="cw-sample">
          <label className="cw-sample-prime">start with <input aria-label="Prime text" value={prime} onChange={(e) => setPrime(e.target.value)} /></label>
          {result?.text !== null && result?.text !== undefined
            ? <pre className="cw-sample-text" aria-label="Text the model wrote" data-step={result.step}><span className="cw-faint">{prime}</span>{result.text}</pre>
            : <p className="cw-note">{result?.reason ?? 'Sampling…'}</p>}
          {result?.text ? <p className="cw-note">At training step {result.step}, temperature {temperature.toFixed(2)}.</p> : null}
        </div>
      ) : <div className="cw-pane-empty"><span>Sampled text is for the text task: choose <b>text</b> in the Training tab, then Train.</span></div>}
    </Pane>
  );
}
