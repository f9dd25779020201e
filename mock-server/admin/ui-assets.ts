import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The dashboard's three files (admin/ui/: index.html, app.js, app.css), read once. In the
 * sources they sit beside this module; the package build copies them to dist/ui/, beside the
 * bundle's entry files and one level above its chunks.
 */
export interface UiAsset {
  body: string;
  type: string;
}

const FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

let cache: Map<string, UiAsset> | undefined;

function uiDir(): string {
  for (const rel of ['./ui/', '../ui/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}index.html`)) return dir;
  }
  throw new Error('the dashboard files (ui/index.html, app.js, app.css) are missing from this installation');
}

/** The asset by file name, or undefined for any other name. */
export function uiAsset(name: string): UiAsset | undefined {
  if (!Object.hasOwn(FILES, name)) return undefined;
  if (!cache) {
    const dir = uiDir();
    cache = new Map(Object.entries(FILES).map(([file, type]) => [file, { body: readFileSync(`${dir}${file}`, 'utf8'), type }]));
  }
  return cache.get(name);
}

/**
 * The page's Content-Security-Policy: its own script and style only, no inline code, no frames,
 * no form posts, connections back to the mock only. The journal holds attacker-controlled input;
 * the page writes it as text nodes, and this policy stops anything that slipped through.
 */
export const UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
