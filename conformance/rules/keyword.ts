import type { Quote } from './quotes';

/**
 * The normative force of a sentence: MUST (RFC 2119 MUST, MUST NOT, REQUIRED, SHALL, SHALL NOT),
 * SHOULD (SHOULD, SHOULD NOT, RECOMMENDED, NOT RECOMMENDED) or MAY (MAY, OPTIONAL: a tolerance).
 */
export type Keyword = 'MUST' | 'SHOULD' | 'MAY';

/**
 * Sources whose lower-case verbs are normative: the OBIE DCR specification writes "must", "should"
 * and "may" in lower case ("An ASPSP must specify on its Developer Portal ..."), and FAPI 1.0 uses the
 * ISO directive forms "shall", "should", "may", as does Open Finance Brasil (OBF). In RFCs and OpenID specifications only the capitals
 * count (RFC 8174: "These words have their normal English meanings when in lowercase").
 */
const LOWER_CASE_COUNTS = /^(OBDCR|FAPI|OBF)/;

/** The BCP 14 verbs (MUST NOT, SHALL NOT and SHOULD NOT start with them). */
const VERBS: readonly [readonly string[], Keyword][] = [
  [['MUST', 'SHALL'], 'MUST'],
  [['SHOULD'], 'SHOULD'],
  [['MAY'], 'MAY'],
];
/** The BCP 14 adjectives, in capitals wherever they appear. */
const ADJECTIVES: readonly [RegExp, Keyword][] = [
  [/\bREQUIRED\b/, 'MUST'],
  [/\b(NOT )?RECOMMENDED\b/, 'SHOULD'],
  [/\bOPTIONAL\b/, 'MAY'],
];
const RANK: Readonly<Record<Keyword, number>> = { MUST: 3, SHOULD: 2, MAY: 1 };

/**
 * The strongest normative keyword of a quoted sentence, or undefined when it has none (a sentence
 * that describes, "the ASPSP responds with ..."). Pure. A sentence that says both MUST and SHOULD
 * ("MUST respond with HTTP 401 ... SHOULD be immediately revoked") is a MUST: a check that rests on
 * its SHOULD half says so in conformance/rules/severity.ts.
 */
export function keywordOf(quote: Pick<Quote, 'ref' | 'text'>): Keyword | undefined {
  const lower = LOWER_CASE_COUNTS.test(quote.ref);
  const found: Keyword[] = [];
  for (const [words, k] of VERBS) {
    const re = new RegExp(`\\b(${words.join('|')})\\b`, lower ? 'i' : '');
    if (re.test(quote.text)) found.push(k);
  }
  for (const [re, k] of ADJECTIVES) if (re.test(quote.text)) found.push(k);
  return found.sort((a, b) => RANK[b] - RANK[a])[0];
}
