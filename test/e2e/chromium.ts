import { existsSync } from 'node:fs';

/** Debian's Chromium (`apt-get install -y chromium`), or CHROMIUM_PATH. Null when absent. */
export function chromiumPath(): string | null {
  // An explicit CHROMIUM_PATH is the only candidate (also how the skip path is tried out).
  const candidates = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : ['/usr/bin/chromium', '/usr/bin/chromium-browser'];
  return candidates.find((p) => existsSync(p)) ?? null;
}

export const INSTALL_HINT = 'Chromium not found at /usr/bin/chromium: install it with `apt-get install -y chromium` (or set CHROMIUM_PATH).';
