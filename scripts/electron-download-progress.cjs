// Preloaded (`node --require`) into Electron's own installer by `npm start`:
// it observes the installer's downloads and reports progress from the first
// byte (the installer's own bar appears only after 30 seconds, and only on a
// terminal), and names the network error behind a bare "fetch failed". It
// changes nothing the installer fetches or decides.
'use strict';

const realFetch = globalThis.fetch;

function size(bytes, total) {
  return total >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`;
}

function report(name, done, total, last) {
  const percent = total ? Math.floor((done / total) * 100) : null;
  const text = percent === null
    ? `Downloading ${name}: ${size(done, done)}`
    : `Downloading ${name}: ${percent}% (${size(done, total)} of ${size(total, total)})`;
  if (process.stdout.isTTY) {
    // One line rewritten in place, each time the percentage (or megabyte) changes.
    return { step: percent ?? Math.floor(done / 1e6), text: `\r${text}\u001b[K${last ? '\n' : ''}` };
  }
  // Not a terminal (a log, CI): one line per 10%, not one per chunk.
  const step = percent === null ? Math.floor(done / 10e6) : Math.floor(percent / 10);
  return { step, text: `${text}\n` };
}

if (typeof realFetch === 'function') {
  globalThis.fetch = async function fetchWithProgress(input, init) {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    let response;
    try {
      response = await realFetch(input, init);
    } catch (error) {
      const cause = error && error.cause ? (error.cause.code ? `${error.cause.code}: ${error.cause.message}` : String(error.cause.message || error.cause)) : String(error && error.message);
      process.stderr.write(`cellwright: could not download ${url} (${cause})\n`);
      throw error;
    }
    const name = decodeURIComponent(new URL(url).pathname.split('/').pop() || url);
    if (!response.ok || !response.body || !name.endsWith('.zip')) return response;
    const length = Number(response.headers.get('content-length'));
    const total = Number.isFinite(length) && length > 0 ? length : null;
    let done = 0;
    let lastStep = -1;
    const counter = new TransformStream({
      transform(chunk, controller) {
        done += chunk.byteLength;
        const line = report(name, done, total, false);
        if (line.step !== lastStep) {
          lastStep = line.step;
          process.stdout.write(line.text);
        }
        controller.enqueue(chunk);
      },
      flush() {
        const line = report(name, done, total ?? done, true);
        // The last line always (on a terminal it ends the line in place).
        if (line.step !== lastStep || process.stdout.isTTY) process.stdout.write(line.text);
      },
    });
    const wrapped = new Response(response.body.pipeThrough(counter), { status: response.status, statusText: response.statusText, headers: response.headers });
    Object.defineProperty(wrapped, 'url', { value: response.url });
    return wrapped;
  };
}
