/**
 * Modules the mock loads on first use rather than at start: jose (the first signature verified or
 * made, the first key generated) takes a tenth of a second to load, and a start-up to the first
 * discovery answer needs none of it.
 */
type Jose = typeof import('jose');

let jose: Jose | undefined;
let loading: Promise<Jose> | undefined;

export async function loadJose(): Promise<Jose> {
  return jose ?? (jose = await (loading ??= import('jose')));
}
