import { obie } from './obie';
import type { Profile } from './types';

export const profiles: Record<string, Profile> = { obie };

export function getProfile(name: string): Profile {
  const p = profiles[name];
  if (!p) throw new Error(`unknown profile "${name}"; known profiles: ${Object.keys(profiles).join(', ')}`);
  return p;
}

export type { Profile } from './types';
