/**
 * Spec reference codes, resolved to URLs in one table. Rules cite codes; reports print links.
 */
const OBDCR_33 =
  'https://openbankinguk.github.io/dcr-docs-pub/v3.3/dynamic-client-registration.html';
const OBDCR_31 =
  'https://openbankinguk.github.io/dcr-docs-pub/v3.1/dynamic-client-registration.html';

const CDS = 'https://consumerdatastandardsaustralia.github.io/standards/';
/** Open Finance Brasil DCR 1.0 (implementers draft 3), as published by the specs-seguranca repository. */
const OBF_DCR = 'https://openbanking-brasil.github.io/specs-seguranca/open-banking-brasil-dynamic-client-registration-1_ID3.html';

export const references = {
  'OBDCR-GEN': `${OBDCR_33}#general`,
  'OBDCR-REQ': `${OBDCR_33}#obclientregistration1`,
  'OBDCR-SSA': `${OBDCR_33}#software-statement`,
  'OBDCR-POST': `${OBDCR_33}#post-register`,
  'OBDCR-GET': `${OBDCR_33}#get-registerclientid`,
  'OBDCR-PUT': `${OBDCR_33}#put-registerclientid`,
  'OBDCR-DELETE': `${OBDCR_33}#delete-registerclientid`,
  'OBDCR-3.1': OBDCR_31,
  'OIDC-DISCOVERY': 'https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata',
  'OIDC-CORE-9': 'https://openid.net/specs/openid-connect-core-1_0.html#ClientAuthentication',
  'RFC8414-2': 'https://www.rfc-editor.org/rfc/rfc8414#section-2',
  'RFC8414-3.3': 'https://www.rfc-editor.org/rfc/rfc8414#section-3.3',
  'OIDC-DISCOVERY-4.3': 'https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfigurationValidation',
  'RFC6749-2.3': 'https://www.rfc-editor.org/rfc/rfc6749#section-2.3',
  'RFC6749-2.3.1': 'https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1',
  'RFC6749-3.1.2': 'https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2',
  'RFC6749-3.1.2.3': 'https://www.rfc-editor.org/rfc/rfc6749#section-3.1.2.3',
  'RFC6749-3.2': 'https://www.rfc-editor.org/rfc/rfc6749#section-3.2',
  'RFC6749-3.3': 'https://www.rfc-editor.org/rfc/rfc6749#section-3.3',
  'RFC6749-4.4.2': 'https://www.rfc-editor.org/rfc/rfc6749#section-4.4.2',
  'RFC6749-5.1': 'https://www.rfc-editor.org/rfc/rfc6749#section-5.1',
  'RFC6749-5.2': 'https://www.rfc-editor.org/rfc/rfc6749#section-5.2',
  'RFC6749-6': 'https://www.rfc-editor.org/rfc/rfc6749#section-6',
  'RFC6750-3': 'https://www.rfc-editor.org/rfc/rfc6750#section-3',
  'RFC6750-3.1': 'https://www.rfc-editor.org/rfc/rfc6750#section-3.1',
  'RFC7515-4.1': 'https://www.rfc-editor.org/rfc/rfc7515#section-4.1',
  'RFC7519-4.1': 'https://www.rfc-editor.org/rfc/rfc7519#section-4.1',
  'RFC7521-4.2': 'https://www.rfc-editor.org/rfc/rfc7521#section-4.2',
  'RFC7523-2.2': 'https://www.rfc-editor.org/rfc/rfc7523#section-2.2',
  'RFC7523-3': 'https://www.rfc-editor.org/rfc/rfc7523#section-3',
  'RFC7523-3.2': 'https://www.rfc-editor.org/rfc/rfc7523#section-3.2',
  'RFC7591-2': 'https://www.rfc-editor.org/rfc/rfc7591#section-2',
  'RFC7591-2.1': 'https://www.rfc-editor.org/rfc/rfc7591#section-2.1',
  'RFC7591-2.3': 'https://www.rfc-editor.org/rfc/rfc7591#section-2.3',
  'RFC7591-3': 'https://www.rfc-editor.org/rfc/rfc7591#section-3',
  'RFC7591-3.1': 'https://www.rfc-editor.org/rfc/rfc7591#section-3.1',
  'RFC7591-3.2.1': 'https://www.rfc-editor.org/rfc/rfc7591#section-3.2.1',
  'RFC7591-3.2.2': 'https://www.rfc-editor.org/rfc/rfc7591#section-3.2.2',
  'RFC7592-2': 'https://www.rfc-editor.org/rfc/rfc7592#section-2',
  'RFC7592-2.1': 'https://www.rfc-editor.org/rfc/rfc7592#section-2.1',
  'RFC7592-2.2': 'https://www.rfc-editor.org/rfc/rfc7592#section-2.2',
  'RFC7592-2.3': 'https://www.rfc-editor.org/rfc/rfc7592#section-2.3',
  'RFC7592-3': 'https://www.rfc-editor.org/rfc/rfc7592#section-3',
  'RFC8705-2': 'https://www.rfc-editor.org/rfc/rfc8705#section-2',
  'RFC8705-3': 'https://www.rfc-editor.org/rfc/rfc8705#section-3',
  'RFC8725-3.1': 'https://www.rfc-editor.org/rfc/rfc8725#section-3.1',
  'FAPI1-ADV-8.6': 'https://openid.net/specs/openid-financial-api-part-2-1_0.html#algorithm-considerations',
  'OBF-DCR-6': `${OBF_DCR}#name-open-finance-brasil-openid-connect-d`,
  'OBF-DCR-7.1': `${OBF_DCR}#name-authorization-server-2`,
  'OBF-DCR-7.1.2': `${OBF_DCR}#name-certificate-distinguished-name-p`,
  'OBF-DCR-7.2': `${OBF_DCR}#name-regulatory-roles-for-openid-and-`,
  'OBF-DCR-8': `${OBF_DCR}#name-software-statement-assertion`,
  'OBF-DCR-9.3': `${OBF_DCR}#name-about-authentication-and-auth`,
  'RFC4514-3': 'https://www.rfc-editor.org/rfc/rfc4514#section-3',
  'RFC4517-4.2.15': 'https://www.rfc-editor.org/rfc/rfc4517#section-4.2.15',
  'FAPI1-ADV-5.2.2': 'https://openid.net/specs/openid-financial-api-part-2-1_0.html#authorization-server',
  // Australia Consumer Data Right: the Consumer Data Standards (DCR APIs, security profile) and the CDR Register APIs.
  'CDS-DCR': `${CDS}#dynamic-client-registration-apis`,
  'CDS-DCR-REGISTER': `${CDS}#cdr-dynamic-client-registration-api_register-data-recipient-oauth-client`,
  'CDS-DCR-MANAGE': `${CDS}#cdr-dynamic-client-registration-api_get-oauth-client-registration`,
  'CDS-SEC-REGISTRATION': `${CDS}#cdr-dynamic-client-registration-api_schemas_tocSclientregistration`,
  'CDR-REGISTER-SSA': `${CDS}#cdr-register-api_get-software-statement-assertion`,
} as const;

export type SpecRef = keyof typeof references;

export function specUrl(ref: SpecRef): string {
  return references[ref];
}
