import type { Check } from './define';
import { discoveryChecks } from './discovery';
import { registrationChecks } from './registration';
import { transportRefusalChecks, ssaRefusalChecks } from './request-refusals';
import { registrationSweep } from '../sweep/register';
import { sweepChecks } from '../sweep/table';
import { ssaSweep } from '../sweep/ssa';
import { managementSweep, readBackChecks } from '../sweep/management';
import { managementChecks } from './management';
import { tokenPlanChecks } from '../plans/token.plan';
import { rfc7591RegistrationChecks, rfc7592Checks } from './rfc7591';
import { rfc7591RegistrationSweep, rfc7592PutSweep, rfc7592TokenSweep } from '../sweep/rfc7591';
import { cdrChecks } from './cdr';
import { cdrPutSweep, cdrRegistrationSweep, cdrTokenSweep } from '../sweep/cdr';
import { obfManagementChecks, obfRegistrationChecks } from './obf';
import { obfRegistrationSweep, obfTlsSweep } from '../sweep/obf';

/** The catalogue of conformance checks. Ids are stable; the duplicate test keeps them unique. */
export const checks: readonly Check[] = [
  ...discoveryChecks,
  ...registrationChecks,
  ...transportRefusalChecks,
  ...sweepChecks(registrationSweep),
  ...sweepChecks(ssaSweep),
  ...ssaRefusalChecks,
  ...managementChecks,
  ...sweepChecks(managementSweep),
  ...readBackChecks,
  ...tokenPlanChecks,
  // The plain RFC 7591 / 7592 dialect: n/a against an OBIE target.
  ...rfc7591RegistrationChecks,
  ...sweepChecks(rfc7591RegistrationSweep),
  ...rfc7592Checks,
  ...sweepChecks(rfc7592TokenSweep),
  ...sweepChecks(rfc7592PutSweep),
  // The Australia CDR dialect: n/a against an OBIE or RFC 7591 target.
  ...cdrChecks,
  ...sweepChecks(cdrRegistrationSweep),
  ...sweepChecks(cdrTokenSweep),
  ...sweepChecks(cdrPutSweep),
  // Open Finance Brasil: n/a against an OBIE or rfc7591 target.
  ...obfRegistrationChecks,
  ...sweepChecks(obfRegistrationSweep),
  ...sweepChecks(obfTlsSweep),
  ...obfManagementChecks,
];

export function checkById(id: string): Check | undefined {
  return checks.find((c) => c.id === id);
}

/** Checks whose id starts with, or whose tags include, the filter (case-insensitive). */
export function matches(check: Check, filter: string | undefined): boolean {
  if (!filter) return true;
  const f = filter.toLowerCase();
  return check.id.toLowerCase().startsWith(f) || check.tags.some((t) => t.toLowerCase() === f);
}

export type { Check, CheckResult } from './define';
