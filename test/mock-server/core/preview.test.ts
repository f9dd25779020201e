import { preview } from '../../../mock-server/core/preview';

const nested = (n: number): unknown => JSON.parse('['.repeat(n) + ']'.repeat(n));

describe('preview: JSON.stringify for error descriptions, bounded', () => {
  test.each([undefined, null, 1, 'a', true, [], {}, ['a', 1], { a: [1, { b: 'c' }] }])('%j is written as JSON.stringify writes it', (v) => {
    expect(preview(v)).toBe(JSON.stringify(v));
  });

  test('10,000 levels do not overflow the stack (JSON.stringify does)', () => {
    const v = nested(10_000);
    expect(() => JSON.stringify(v)).toThrow(RangeError);
    expect(preview(v)).toBe('[[[[[…]]]]]');
  });

  test('long strings, many members and long output are cut with an ellipsis', () => {
    expect(preview('x'.repeat(500))).toBe(JSON.stringify(`${'x'.repeat(200)}…`));
    expect(preview(Array.from({ length: 100 }, (_, i) => i))).toBe('[0,1,2,3,4,5,6,7,…]');
    expect(preview(Object.fromEntries(Array.from({ length: 3 }, (_, i) => [`k${i}`, 'v'.repeat(150)]))).length).toBeLessThanOrEqual(201);
  });
});
