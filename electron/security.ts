/**
 * Electron's security checklist in one place: the scheme the renderer loads
 * from, the Content-Security-Policy, the window's webPreferences, which frames
 * may call IPC, and which links may open outside.
 */

/** The renderer is served from `app://cellwright/`, never from file:// or http. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'cellwright';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/**
 * No remote content at all: everything comes from our own origin. Module
 * workers are same-origin files; blob: covers workers built from a Blob.
 * style-src needs 'unsafe-inline' because React Flow positions nodes with
 * inline style attributes. 'wasm-unsafe-eval' lets the training worker compile
 * the engine's bundled WebAssembly kernels (it allows WebAssembly compilation
 * only, not eval of JavaScript); without it the worker falls back to the
 * slower JavaScript kernels.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** True for URLs of our own renderer (app://cellwright/...). */
export function isAppUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
}

/** The part of an IPC event a sender check needs (Electron's WebFrameMain). */
export interface SenderFrame {
  url: string;
  parent: unknown;
}

/**
 * Only the top frame of our own renderer may call main. A frame that
 * navigated away, an iframe, or a destroyed frame (null) is refused.
 */
export function isTrustedSender(frame: SenderFrame | null | undefined): boolean {
  if (!frame) return false;
  if (frame.parent !== null && frame.parent !== undefined) return false;
  return isAppUrl(frame.url);
}

/** Sites the Help menu and the renderer's links may open in the system browser. */
export const EXTERNAL_ALLOW_LIST: readonly string[] = [
  'cellwright.invalid',
  'github.com',
  'colah.github.io',
  'arxiv.org',
  'pytorch.org',
  'docs.pytorch.org',
  'en.wikipedia.org',
  'www.deeplearningbook.org',
];

/**
 * https only (no http, file, smb, mailto, custom schemes: the app sends no
 * mail), host exactly on the allow-list, no credentials in the URL.
 */
export function isAllowedExternal(url: string, allow: readonly string[] = EXTERNAL_ALLOW_LIST): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:') return false;
  if (parsed.username || parsed.password) return false;
  return allow.includes(parsed.hostname.toLowerCase());
}
