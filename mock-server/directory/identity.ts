import type { Faker } from '@faker-js/faker';

/** Identities in the shape the OB Directory issues them. */
export interface SoftwareIdentity {
  software_id: string;
  org_id: string;
  org_name: string;
  software_client_name: string;
}

const BASE62 = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

let faker: Promise<typeof import('@faker-js/faker')> | undefined;

/**
 * A faker with the English locale, seeded when asked. The faker module is large (about a quarter
 * of a second to load), so it is loaded on first use: a warm start of the mock (certificates on
 * disk) never needs it before the first SSA is minted.
 */
export async function makeFaker(seed?: number): Promise<Faker> {
  const { Faker, en } = await (faker ??= import('@faker-js/faker'));
  const f = new Faker({ locale: [en] });
  if (seed !== undefined) f.seed(seed);
  return f;
}

/** A 22-character Base62 software id, as the OB Directory issues from v3.2 on. */
export function softwareId(f: Faker, length = 22): string {
  return f.string.fromCharacters(BASE62, length);
}

/** An 18-character OB organisation id (Salesforce-style, e.g. 0015800001HQQrZAAX). */
export function orgId(f: Faker): string {
  return `0015800001${f.string.fromCharacters(BASE62, 8)}`;
}

export function makeIdentity(f: Faker): SoftwareIdentity {
  const company = f.company.name().replace(/[,+;"\\<>=#]/g, '').trim();
  return {
    software_id: softwareId(f),
    org_id: orgId(f),
    org_name: `${company} Ltd`,
    software_client_name: `${f.word.adjective()} ${f.word.noun()} app`.replace(/^./, (c) => c.toUpperCase()),
  };
}
