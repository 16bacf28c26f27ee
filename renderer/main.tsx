import { StrictMode } from 'react';
import { z } from 'zod';
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import '@fontsource-variable/inter/index.css';
import '@fontsource/jetbrains-mono/400.css';
import '@fontsource/jetbrains-mono/600.css';
import './styles.css';
import { App } from './app/App.tsx';
import { startApp } from './app/startup.ts';
import { createBrowserHost } from './host/browser.ts';
import { createElectronHost } from './host/electron.ts';
import { crashWorker } from './train/client.ts';

// zod's eval probe would trip the app's Content-Security-Policy ('unsafe-eval' is not allowed).
z.config({ jitless: true });

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');

// Inside the desktop shell the preload's API is there; otherwise this is the browser edition.
// Test and demo switch: ?fallback-files forces upload/download instead of the File System Access API.
const host = createElectronHost() ?? createBrowserHost({ forceFallback: new URLSearchParams(window.location.search).has('fallback-files') });

// End-to-end tests crash the training worker on purpose (?test-hooks) to see it restarted.
if (new URLSearchParams(window.location.search).has('test-hooks')) {
  (window as unknown as { cellwrightTest: unknown }).cellwrightTest = { crashWorker };
}

void startApp(host).then(() => {
  createRoot(root).render(<StrictMode><App /></StrictMode>);
});
