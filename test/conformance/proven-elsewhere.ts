/**
 * Checks no switch of the mock's rules can make fail (the mock has no wrong lookup to switch on, and a
 * tolerance row fails only on a bank that refuses too much): each is proven instead by a one-flag bug
 * of the independent strict bank, whose BUG_TABLE (independent-bank.test.ts) must list it.
 */
export const PROVEN_BY_STRICT_BANK = ['MGT-GET-BY-SOFTWARE-ID', 'MGT-GET-CLIENT-ID-RECASED', 'MGT-GET-CLIENT-ID-TRUNCATED', 'MGT-PUT-BY-SOFTWARE-ID', 'MGT-DELETE-BY-SOFTWARE-ID', 'READBACK-PUT', 'READBACK-REFUSED-PUTS', 'REQ-UNKNOWN-METADATA-IGNORED'];
