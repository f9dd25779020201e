import type { Faker } from '@faker-js/faker';
import { issueCert, type PemPair } from '../../common/certs';
import { OFB_ORG_PREFIX, OID, obfSubjectDn } from '../../common/obf-dn';

/**
 * Identities in the shape the Open Finance Brasil Directory of Participants issues them: UUID
 * organisation and software ids, and a transport certificate whose subject carries the software_id
 * in UID and `OFBBR-<org_id>` in organizationIdentifier (OBF DCR 1.0 ID3, items 13 and 14), beside
 * the EV attributes of the ICP-Brasil profile (serialNumber, businessCategory, jurisdictionCountryName).
 */
export interface ObfIdentity {
  software_id: string;
  org_id: string;
  org_name: string;
  software_client_name: string;
  /** The CNPJ (14 digits) of the organisation, the certificate's serialNumber. */
  org_number: string;
}

export interface ObfTransport extends PemPair, ObfIdentity {
  /** The certificate subject in the OBF rendering (obfSubjectDn). */
  dn: string;
}

export function makeObfIdentity(f: Faker, orgId?: string): ObfIdentity {
  const company = f.company.name().replace(/[,+;"\\<>=#]/g, '').trim();
  return {
    software_id: f.string.uuid(),
    org_id: orgId ?? f.string.uuid(),
    org_name: `${company} SA`,
    software_client_name: `${f.word.adjective()} ${f.word.noun()} app`.replace(/^./, (c) => c.toUpperCase()),
    org_number: f.string.numeric(14),
  };
}

/** A transport (client) certificate of the OBF profile for the identity, issued by `ca`. */
export async function issueObfTransportCert(ca: PemPair, id: ObfIdentity): Promise<ObfTransport> {
  const pair = await issueCert(
    ca,
    [
      { name: 'countryName', value: 'BR' },
      { shortName: 'ST', value: 'SP' },
      { name: 'localityName', value: 'Sao Paulo' },
      { name: 'organizationName', value: id.org_name },
      { name: 'commonName', value: 'tpp.example.com.br' },
      { name: OID.serialNumber, value: id.org_number },
      { name: OID.businessCategory, value: 'Private Organization' },
      { name: OID.jurisdictionCountryName, value: 'BR' },
      { name: OID.organizationIdentifier, value: `${OFB_ORG_PREFIX}${id.org_id}` },
      { name: OID.uid, value: id.software_id },
    ],
    { kind: 'client' },
  );
  return { ...id, ...pair, dn: obfSubjectDn(pair.cert) };
}
