/**
 * Open Finance Brasil DCR 1.0 ID3, "Regulatory Roles for OpenID and OAuth 2.0 Mappings": the
 * regulatory roles of software_statement_roles and the OAuth 2.0 scopes each allows. Shared by
 * mock-server/ (the obf profile) and conformance/ (the pack's obf dialect): it is the spec's table.
 */
export const OBF_ROLE_SCOPES: Readonly<Record<string, readonly string[]>> = {
  DADOS: ['openid', 'accounts', 'credit-cards-accounts', 'consents', 'customers', 'invoice-financings', 'financings', 'loans', 'unarranged-accounts-overdraft', 'resources'],
  PAGTO: ['openid', 'payments'],
  CONTA: ['openid'],
  CCORR: ['openid'],
};
export const OBF_ROLES: readonly string[] = Object.keys(OBF_ROLE_SCOPES);
/** Every scope some role allows. */
export const OBF_SCOPES: readonly string[] = [...new Set(Object.values(OBF_ROLE_SCOPES).flat())];

/** The roles of software_statement_roles with status Active ("currently listed roles shall be active"). */
export function activeRoles(roles: unknown): string[] {
  if (!Array.isArray(roles)) return [];
  return roles
    .filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null && typeof (r as Record<string, unknown>).role === 'string' && (r as Record<string, unknown>).status === 'Active')
    .map((r) => r.role as string);
}

/** The scopes the roles allow ("the complete set of potential scopes based on the softwares regulatory permissions"). */
export function allowedScopes(roles: readonly string[]): string[] {
  return [...new Set(roles.flatMap((r) => OBF_ROLE_SCOPES[r] ?? []))];
}
