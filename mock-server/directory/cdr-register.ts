import { randomUUID } from 'node:crypto';
import type { JSONWebKeySet } from 'jose';
import type { Faker } from '@faker-js/faker';
import { AccessDenied, InvalidRequest, NotFound } from '../errors';
import type { MintCaller, MockDirectory } from './directory';
import { makeFaker } from './identity';

/**
 * The mock CDR Register (Australia Consumer Data Right), carried by the mock directory: it signs
 * with the directory's PS256 key, publishes that key at GET /cdr-register/v1/jwks, and issues SSAs
 * at GET /cdr-register/v1/{industry}/data-recipients/brands/{brandId}/software-products/
 * {softwareProductId}/ssa with iss "cdr-register", a 10-minute lifetime and a jti.
 *
 * The real Register holds software products accredited out of band; here a software product is
 * loaded by a mock-only POST of the same path without /ssa, with its redirect URIs and public JWKS,
 * which the directory hosts (the SSA's jwks_uri names that hosted JWKS, not a data recipient's own
 * host). The directory's rules apply: the first client certificate owns the software product id.
 */
export const CDR_REGISTER_ISSUER = 'cdr-register';
/** Register standards: "exp" 10 minutes after "iat". */
export const CDR_SSA_LIFETIME_SECONDS = 600;
export const CDR_INDUSTRIES = ['banking', 'energy', 'telco', 'all'] as const;
/** The scopes a mock software product is accredited for when it asks for none. */
export const CDR_DEFAULT_SCOPE = 'openid profile cdr:registration bank:accounts.basic:read bank:accounts.detail:read bank:transactions:read common:customer.basic:read';

export interface CdrProduct {
  industry: string;
  brandId: string;
  productId: string;
  redirectUris: string[];
  jwksUri: string;
  scope: string;
  sectorIdentifierUri?: string;
  legalEntityId: string;
  legalEntityName: string;
  orgName: string;
  clientName: string;
}

const httpsUri = (v: unknown): v is string => typeof v === 'string' && v.length <= 2048 && URL.canParse(v) && new URL(v).protocol === 'https:';

export class CdrRegister {
  readonly issuer = CDR_REGISTER_ISSUER;
  private readonly products = new Map<string, CdrProduct>();
  private faker: Promise<Faker> | undefined;

  constructor(private readonly directory: MockDirectory, private readonly seed?: number) {}

  jwks(): JSONWebKeySet {
    return this.directory.jwks();
  }

  /** Loads (or reloads) a software product: its redirect URIs, public JWKS (hosted by the directory), scope and sector_identifier_uri. */
  async load(industry: string, brandId: string, productId: string, body: unknown, caller?: MintCaller): Promise<CdrProduct> {
    if (!(CDR_INDUSTRIES as readonly string[]).includes(industry)) throw new NotFound(`industry ${JSON.stringify(industry.slice(0, 32))} is not one of ${CDR_INDUSTRIES.join(', ')}`);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InvalidRequest('the body must be a JSON object with redirect_uris and jwks');
    const b = body as Record<string, unknown>;
    const redirects = b.redirect_uris;
    if (!Array.isArray(redirects) || redirects.length < 1 || redirects.length > 10 || !redirects.every(httpsUri)) throw new InvalidRequest('redirect_uris must be 1 to 10 https URIs');
    if (b.sector_identifier_uri !== undefined && !httpsUri(b.sector_identifier_uri)) throw new InvalidRequest('sector_identifier_uri must be an https URI');
    if (b.scope !== undefined && (typeof b.scope !== 'string' || b.scope.length > 2048)) throw new InvalidRequest('scope must be a space-separated string');
    // The directory validates and hosts the keys, and binds the product id to the caller's certificate.
    const minted = await this.directory.mint({ software_id: productId, org_id: brandId, software_redirect_uris: redirects, software_roles: ['AISP'], jwks: b.jwks as JSONWebKeySet, exp: Math.floor(Date.now() / 1000) + 86_400 }, caller);
    const f = await (this.faker ??= makeFaker(this.seed));
    const prior = this.products.get(productId);
    const product: CdrProduct = {
      industry,
      brandId,
      productId,
      redirectUris: redirects,
      jwksUri: minted.software_jwks_endpoint,
      scope: typeof b.scope === 'string' ? b.scope : CDR_DEFAULT_SCOPE,
      ...(typeof b.sector_identifier_uri === 'string' ? { sectorIdentifierUri: b.sector_identifier_uri } : {}),
      legalEntityId: prior?.legalEntityId ?? f.string.uuid(),
      legalEntityName: prior?.legalEntityName ?? f.company.name(),
      orgName: prior?.orgName ?? `${f.company.name()} Brand`,
      clientName: prior?.clientName ?? f.commerce.productName(),
    };
    this.products.set(productId, product);
    return product;
  }

  /** The SSA of a loaded software product, for its owner (the certificate that loaded it). */
  async ssa(industry: string, brandId: string, productId: string, caller?: MintCaller, now = Math.floor(Date.now() / 1000)): Promise<string> {
    const p = this.products.get(productId);
    if (!p || p.brandId !== brandId || p.industry !== industry) throw new NotFound(`no software product ${JSON.stringify(productId.slice(0, 64))} of brand ${JSON.stringify(brandId.slice(0, 64))} in ${JSON.stringify(industry.slice(0, 16))}; load it first (POST the same path without /ssa)`);
    // Re-minting for the product proves ownership the directory's way (certificate or software_secret), without changing its keys.
    if (caller && !this.directory.owns(productId, caller)) throw new AccessDenied(`software product ${JSON.stringify(productId)} belongs to another client certificate`);
    const origin = new URL(p.redirectUris[0]!).origin;
    return this.directory.signClaims({
      iss: CDR_REGISTER_ISSUER,
      iat: now,
      exp: now + CDR_SSA_LIFETIME_SECONDS,
      jti: randomUUID(),
      legal_entity_id: p.legalEntityId,
      legal_entity_name: p.legalEntityName,
      org_id: p.brandId,
      org_name: p.orgName,
      client_name: p.clientName,
      client_description: `${p.clientName}, a mock CDR software product`,
      client_uri: origin,
      redirect_uris: p.redirectUris,
      logo_uri: `${origin}/logo.png`,
      tos_uri: `${origin}/tos`,
      policy_uri: `${origin}/policy`,
      jwks_uri: p.jwksUri,
      revocation_uri: `${origin}/revoke`,
      recipient_base_uri: origin,
      software_id: p.productId,
      software_roles: 'data-recipient-software-product',
      scope: p.scope,
      ...(p.sectorIdentifierUri ? { sector_identifier_uri: p.sectorIdentifierUri } : {}),
    });
  }
}

const registers = new WeakMap<MockDirectory, CdrRegister>();

/** The CDR Register of a directory (one per directory instance). */
export function cdrRegisterOf(directory: MockDirectory, seed?: number): CdrRegister {
  let r = registers.get(directory);
  if (!r) registers.set(directory, (r = new CdrRegister(directory, seed)));
  return r;
}
