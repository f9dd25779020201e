import { RuleViolation } from '../errors';
import { decodeCompactJws } from './jws';

/**
 * The checks a bank that emails its result makes at once: without a decodable request and SSA
 * naming a contact, there is nobody to send the result to. Answers the recipient.
 * Everything else (signatures, trust, claims) is checked afterwards and reported by email.
 */
export function deferredRecipient(jws: string, contactType: string): string {
  const { payload } = decodeCompactJws(jws, 'JWS-FORMAT', 'registration request');
  if (typeof payload.software_statement !== 'string' || payload.software_statement === '') {
    throw new RuleViolation('SSA-PRESENT', `software_statement is required as a string (got ${typeof payload.software_statement})`);
  }
  const ssa = decodeCompactJws(payload.software_statement, 'SSA-FORMAT', 'software_statement').payload;
  const contacts = Array.isArray(ssa.org_contacts) ? (ssa.org_contacts as unknown[]) : [];
  const contact = contacts.find(
    (c): c is { email: string } =>
      typeof c === 'object' && c !== null &&
      String((c as Record<string, unknown>).type ?? '').toLowerCase() === contactType.toLowerCase() &&
      typeof (c as Record<string, unknown>).email === 'string' && /^[^\s@]+@[^\s@]+$/.test((c as Record<string, string>).email!),
  );
  if (!contact) {
    throw new RuleViolation('SSA-CONTACT', `the software_statement org_contacts name no "${contactType}" contact with an email address; the result is sent there`);
  }
  return contact.email;
}
