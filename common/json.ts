/**
 * Untrusted JSON measured without recursion that an attacker controls: a claim nested 10,000
 * levels deep overflows the stack of JSON.stringify. Shared by mock-server/ and conformance/.
 */

/** Deepest JSON nesting a request's JWS header or payload, or a JSON body, may have. */
export const MAX_JSON_DEPTH = 64;

/** How deep a JSON value nests (a scalar is 0, `[]` and `{}` are 1), counted without recursion; stops past `limit`. */
export function jsonDepth(value: unknown, limit = Infinity): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    const depth = d + 1;
    if (depth > max) {
      max = depth;
      if (max > limit) return max;
    }
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth]);
    }
  }
  return max;
}

/** The value, frozen all the way down (for values kept and handed out again: nobody can change them through one holder under another). */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
