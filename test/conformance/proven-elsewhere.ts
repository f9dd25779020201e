import type { Check } from '../../conformance/rules/define';
import { dialectsOf } from '../../conformance/dialects';

/**
 * Checks no switch of the mock's rules can make fail (the mock has no wrong lookup to switch on, and a
 * tolerance row fails only on a bank that refuses too much): each is proven instead by a one-flag bug
 * of the independent strict bank, whose BUG_TABLE (independent-bank.test.ts) must list it.
 */
export const PROVEN_BY_STRICT_BANK = ['MGT-GET-BY-SOFTWARE-ID', 'MGT-GET-CLIENT-ID-RECASED', 'MGT-GET-CLIENT-ID-TRUNCATED', 'MGT-PUT-BY-SOFTWARE-ID', 'MGT-DELETE-BY-SOFTWARE-ID', 'READBACK-PUT', 'READBACK-REFUSED-PUTS', 'REQ-UNKNOWN-METADATA-IGNORED'];

/**
 * Token checks the mock cannot fail (it refuses these requests unconditionally, or advertises only what it
 * serves): each is proven by a switch of the second bank, whose table in token-sweep.test.ts must list it.
 */
export const PROVEN_BY_SECOND_BANK = [
  'TOKEN-ASSERTION-TYPE-OTHER', 'TOKEN-ASSERTION-TYPE-MISSING', 'TOKEN-GRANT-TYPE-MISSING',
  'ADVERTISED-AUTH-METHOD-CLIENT-SECRET-POST-REGISTERS', 'ADVERTISED-SIGNING-ALG-ES256', 'ADVERTISED-GRANT-REFRESH-TOKEN',
];

/**
 * Checks no bank we have fails (no switch refuses what they need): each is shown firing on recorded
 * exchanges in token-sweep.test.ts, which must list it.
 */
export const PROVEN_BY_RECORDED = [
  'ADVERTISED-AUTH-METHOD-TLS-CLIENT-AUTH-REGISTERS', 'ADVERTISED-AUTH-METHOD-PRIVATE-KEY-JWT-REGISTERS', 'ADVERTISED-AUTH-METHOD-CLIENT-SECRET-BASIC-REGISTERS',
  'ADVERTISED-SIGNING-ALG-PS256', 'TOKEN-SCOPE-EMPTY', 'TOKEN-ASSERTION-CLIENT-ID-OTHER',
];

/**
 * The checks of the plain RFC 7591 / 7592 dialect: the mock bank speaks OBIE, so no switch of its
 * rules can run them; each is proven instead by a one-flag bug of the independent RFC 7591 server
 * (servers/rfc7591-server.ts), whose BUG_TABLE (rfc7591-server.test.ts) must list it, and judged
 * against node-oidc-provider (oidc-provider.test.ts).
 */
export const PROVEN_BY_RFC7591_SERVER = (checks: readonly Check[]): string[] => checks.filter((c) => dialectsOf(c).includes('rfc7591')).map((c) => c.id);

/**
 * The checks of the Australia CDR dialect: no switch of the OBIE rules runs them; each is proven by
 * a one-flag bug of the independent CDR data holder (servers/cdr-bank.ts), whose CDR_BUG_TABLE
 * (cdr-bank.test.ts) must list it, and judged against the mock's cdr profile in the compatibility matrix.
 */
export const PROVEN_BY_CDR_BANK = (checks: readonly Check[]): string[] => checks.filter((c) => dialectsOf(c).includes('cdr')).map((c) => c.id);

/** The checks of every dialect but OBIE: n/a against an OBIE bank. */
export const NOT_OBIE = (checks: readonly Check[]): string[] => checks.filter((c) => !dialectsOf(c).includes('obie')).map((c) => c.id);

/**
 * The checks of the Open Finance Brasil dialect: proven by a one-flag bug of the independent OBF bank
 * (servers/obf-bank.ts, written from the OBF DCR text), whose BUG_TABLE (obf-bank.test.ts) must list
 * each; the mock's obf profile passes them all (the compatibility matrix).
 */
export const PROVEN_BY_OBF_BANK = (checks: readonly Check[]): string[] => checks.filter((c) => dialectsOf(c).includes('obf')).map((c) => c.id);
