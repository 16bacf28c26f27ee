import * as path from 'node:path';
import { APP_HOST, CONTENT_SECURITY_POLICY } from './security.ts';

const MIME: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.wasm': 'application/wasm',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
};

export function mimeType(file: string): string {
  return MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export interface AppRoots {
  /** The renderer's build (dist-web). */
  web: string;
  /** The app root; `/assets/examples/` and `/assets/data/` fall back to it when dist-web lacks them. */
  app: string;
}

const BUNDLED_PREFIXES = ['assets/examples/', 'assets/data/'];

/**
 * The files an app:// URL may map to, in order of preference, or null when
 * the URL is not ours or tries to leave the roots (`..`, encoded or not).
 */
export function candidateFiles(url: string, roots: AppRoots): string[] | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.host !== APP_HOST) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(parsed.pathname);
  } catch {
    return null;
  }
  if (rel.includes('\0') || rel.includes('\\')) return null;
  rel = rel.replace(/^\/+/, '');
  if (rel === '') rel = 'index.html';
  const out: string[] = [];
  const inWeb = within(roots.web, rel);
  if (inWeb) out.push(inWeb);
  if (BUNDLED_PREFIXES.some((p) => rel.startsWith(p))) {
    const inApp = within(roots.app, rel);
    if (inApp) out.push(inApp);
  }
  return out.length > 0 ? out : null;
}

function within(root: string, rel: string): string | null {
  const full = path.resolve(root, rel);
  const base = path.resolve(root);
  return full.startsWith(base + path.sep) ? full : null;
}

export function securityHeaders(contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
  };
}

/** Serves app://cellwright/* from the renderer build; every response carries the CSP. */
export function createAppProtocolHandler(
  roots: AppRoots,
  readFile: (file: string) => Promise<Uint8Array>,
): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response('Method not allowed', { status: 405, headers: securityHeaders('text/plain; charset=utf-8') });
    }
    const files = candidateFiles(request.url, roots);
    if (!files) return new Response('Forbidden', { status: 403, headers: securityHeaders('text/plain; charset=utf-8') });
    for (const file of files) {
      let body: Uint8Array;
      try {
        body = await readFile(file);
      } catch {
        continue;
      }
      return new Response(request.method === 'HEAD' ? null : new Blob([body as Uint8Array<ArrayBuffer>]), {
        status: 200,
        headers: securityHeaders(mimeType(file)),
      });
    }
    return new Response('Not found', { status: 404, headers: securityHeaders('text/plain; charset=utf-8') });
  };
}
