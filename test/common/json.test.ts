import { MAX_JSON_DEPTH, jsonDepth } from '../../common/json';

const nested = (n: number): unknown => JSON.parse('['.repeat(n) + ']'.repeat(n));

describe('jsonDepth', () => {
  test.each([[1, 0], ['a', 0], [[], 1], [{}, 1], [{ a: [1] }, 2], [[[], [[{}]]], 4]])('%j nests %i levels', (v, d) => {
    expect(jsonDepth(v)).toBe(d);
  });
  test('counts 100,000 levels without recursion, and stops early past a limit', () => {
    expect(jsonDepth(nested(100_000))).toBe(100_000);
    expect(jsonDepth(nested(100_000), MAX_JSON_DEPTH)).toBe(MAX_JSON_DEPTH + 1);
  });
});
