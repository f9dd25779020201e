/**
 * A whole number from the environment, or the default; anything else (or one below `min`) stops the
 * bench with a message naming the variable.
 */
export function setting(name: string, fallback: number, min = 1): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    console.error(`${name}=${JSON.stringify(raw)}: expected a ${min >= 1 ? 'positive ' : ''}whole number`);
    process.exit(2);
  }
  return n;
}
