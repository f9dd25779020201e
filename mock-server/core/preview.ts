/**
 * Untrusted JSON values, shown in error descriptions without recursion that an
 * attacker controls: a claim nested 10,000 levels deep overflows the stack of JSON.stringify, and
 * a megabyte claim would be echoed in full.
 */

const SHOWN_DEPTH = 4;
const SHOWN_ITEMS = 8;

/**
 * JSON.stringify for an error description: the same text for the small values descriptions
 * usually show (undefined stays undefined), bounded in depth (4), members (8 per level) and
 * length (`max` characters, then an ellipsis).
 */
export function preview(value: unknown, max = 200): string {
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'string' && value.length > max) return JSON.stringify(`${value.slice(0, max)}…`);
    return JSON.stringify(value) as string; // undefined stays undefined, as JSON.stringify: `got undefined`
  }
  let out = '';
  const full = () => out.length > max;
  const walk = (v: unknown, depth: number): void => {
    if (full()) return;
    if (typeof v !== 'object' || v === null) {
      out += typeof v === 'string' && v.length > max ? JSON.stringify(`${v.slice(0, max)}…`) : JSON.stringify(v) ?? 'null';
      return;
    }
    const array = Array.isArray(v);
    if (depth >= SHOWN_DEPTH) {
      out += array ? '[…]' : '{…}';
      return;
    }
    const entries: Array<[string | undefined, unknown]> = array
      ? (v as unknown[]).slice(0, SHOWN_ITEMS + 1).map((x) => [undefined, x])
      : Object.entries(v).filter(([, x]) => x !== undefined).slice(0, SHOWN_ITEMS + 1);
    out += array ? '[' : '{';
    entries.forEach(([k, x], i) => {
      if (full()) return;
      if (i > 0) out += ',';
      if (i === SHOWN_ITEMS) {
        out += '…';
        return;
      }
      if (k !== undefined) out += `${JSON.stringify(k.length > max ? `${k.slice(0, max)}…` : k)}:`;
      walk(x, depth + 1);
    });
    out += array ? ']' : '}';
  };
  walk(value, 0);
  return full() ? `${out.slice(0, max)}…` : out;
}
