import { obie } from './obie';
import { obie31 } from './obie-3-1';
import { revolut } from './revolut';
import { wso2 } from './wso2';
import { cpbSandbox } from './cpb-sandbox';
import { emailDeferred } from './email-deferred';
import { rfc7591 } from './rfc7591';
import { cdr } from './cdr';
import { obf } from './obf';
import type { Profile } from './types';

export const profiles: Record<string, Profile> = Object.fromEntries(
  [obie, obie31, revolut, wso2, cpbSandbox, emailDeferred, rfc7591, cdr, obf].map((p) => [p.name, p]),
);

export function getProfile(name: string): Profile {
  const p = profiles[name];
  if (!p) throw new Error(`unknown profile "${name}"; known profiles: ${Object.keys(profiles).join(', ')}`);
  return p;
}

export type { Profile } from './types';
