import { mkdirSync, readFileSync, writeFileSync, existsSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { JWK } from 'jose';
import { loadJose } from '../lazy';
import { makeFaker, makeIdentity, type SoftwareIdentity } from '../directory/identity';
import { certSubjectDn } from '../../common/dn';
import { createCa, issueCert, type PemPair } from '../../common/certs';
import { issueObfTransportCert, makeObfIdentity, type ObfIdentity, type ObfTransport } from '../directory/obf-identity';
import { obfSubjectDn } from '../../common/obf-dn';

export interface TppCredentials extends PemPair, SoftwareIdentity {
  /** Subject DN of the transport certificate, RFC 4514, most specific first. */
  dn: string;
}

export interface CertBundle {
  ca: PemPair;
  server: PemPair;
  tpp: TppCredentials;
  /**
   * A second TPP transport certificate from the same CA, with another software identity (so another
   * subject DN): what a conformance run presents to show that the bank refuses a trusted certificate
   * that is not the client's. Kept in certsDir beside the first; issued at start-up when a given
   * bundle has none.
   */
  altTpp?: TppCredentials;
  /** The built-in directory's PS256 signing key, as a private JWK with kid. */
  directoryKey: JWK;
  /**
   * Open Finance Brasil transport certificates (UID = software_id, organizationIdentifier =
   * OFBBR-<org_id>) for the obf profile: the TPP's, and a second one of the same organisation with
   * another software_id (a trusted certificate whose UID is not the SSA's software_id).
   */
  obfTpp?: ObfTransport;
  obfAltTpp?: ObfTransport;
}

/** A TPP transport certificate whose subject follows OBIE: CN=<software_id>, OU=<org_id>, O=<org name>, C=GB. */
export async function issueTransportCert(ca: PemPair, id: SoftwareIdentity): Promise<TppCredentials> {
  const pair = await issueCert(
    ca,
    [
      { name: 'commonName', value: id.software_id },
      { shortName: 'OU', value: id.org_id },
      { name: 'organizationName', value: id.org_name },
      { name: 'countryName', value: 'GB' },
    ],
    { kind: 'client' },
  );
  const { software_id, org_id, org_name, software_client_name } = id;
  return { software_id, org_id, org_name, software_client_name, ...pair, dn: certSubjectDn(pair.cert) };
}

export async function createDirectoryKey(): Promise<JWK> {
  const { generateKeyPair, exportJWK, calculateJwkThumbprint } = await loadJose();
  const { privateKey } = await generateKeyPair('PS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, alg: 'PS256', use: 'sig', kid: await calculateJwkThumbprint(jwk) };
}

/** Everything a mock bank needs, generated in memory (for in-process use and tests). */
export async function generateBundle(hosts: string[] = ['localhost', '127.0.0.1', '::1'], seed?: number): Promise<CertBundle> {
  const ca = await createCa('DCR Mock Bank Test CA');
  const [server, tpp, altTpp, directoryKey] = await Promise.all([
    issueCert(ca, [{ name: 'commonName', value: hosts[0] ?? 'localhost' }], { kind: 'server', hosts }),
    makeFaker(seed).then((f) => issueTransportCert(ca, makeIdentity(f))),
    makeFaker(seed === undefined ? undefined : seed + 1).then((f) => issueTransportCert(ca, makeIdentity(f))),
    createDirectoryKey(),
  ]);
  return { ca, server, tpp, altTpp, directoryKey };
}

/**
 * The bundle with its Open Finance Brasil transport certificates, issued under its CA when it has
 * none (only a bank of the obf profile, or a standalone directory, needs them: other in-process
 * banks are not slowed by two more RSA keys).
 */
export async function withObfTransport(bundle: CertBundle, seed?: number): Promise<CertBundle> {
  if (bundle.obfTpp && bundle.obfAltTpp) return bundle;
  const f = await makeFaker(seed === undefined ? undefined : seed + 2);
  const obfTpp = bundle.obfTpp ?? (await issueObfTransportCert(bundle.ca, makeObfIdentity(f)));
  const obfAltTpp = await issueObfTransportCert(bundle.ca, makeObfIdentity(f, obfTpp.org_id));
  return { ...bundle, obfTpp, obfAltTpp };
}

const FILES = {
  caCert: 'ca.pem',
  caKey: 'ca.key',
  serverCert: 'server.pem',
  serverKey: 'server.key',
  tppCert: 'tpp-transport.pem',
  tppKey: 'tpp-transport.key',
  tppIdentity: 'tpp-identity.json',
  altTppCert: 'tpp-transport-alt.pem',
  altTppKey: 'tpp-transport-alt.key',
  altTppIdentity: 'tpp-alt-identity.json',
  directoryKey: 'directory-signing.jwk.json',
  obfTppCert: 'obf-transport.pem',
  obfTppKey: 'obf-transport.key',
  obfTppIdentity: 'obf-identity.json',
  obfAltTppCert: 'obf-transport-alt.pem',
  obfAltTppKey: 'obf-transport-alt.key',
  obfAltTppIdentity: 'obf-alt-identity.json',
} as const;

/** Days of validity a certificate must still have to be reused rather than regenerated. */
const DAY = 86_400_000;
const MIN_REMAINING_MS = 7 * DAY;

function usable(certPem: string, caPem?: string, hosts?: string[]): boolean {
  try {
    const cert = new X509Certificate(certPem);
    if (Date.parse(cert.validTo) - Date.now() < MIN_REMAINING_MS) return false;
    if (Date.parse(cert.validFrom) > Date.now()) return false;
    if (caPem) {
      const ca = new X509Certificate(caPem);
      // checkIssued compares names only; a regenerated CA keeps its name, so verify the signature.
      if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return false;
    }
    if (hosts) return hosts.every((h) => (/^[\d.]+$|:/.test(h) ? cert.checkIP(h) : cert.checkHost(h)));
    return true;
  } catch {
    return false;
  }
}

function keyMatches(certPem: string, keyPem: string): boolean {
  try {
    return new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
}

function read(dir: string, name: string): string | undefined {
  const p = join(dir, name);
  return existsSync(p) ? readFileSync(p, 'utf8') : undefined;
}

function writeSecret(dir: string, name: string, content: string) {
  const p = join(dir, name);
  writeFileSync(p, content, { mode: 0o600 });
  chmodSync(p, 0o600);
}

export interface EnsureResult {
  bundle: CertBundle;
  /** What was (re)generated on this call, for the start-up log. */
  generated: string[];
}

/**
 * Loads the certificates in `dir`, regenerating whatever is missing, expired (or close to it),
 * not issued by the current CA, or not valid for `hosts`. A new CA re-issues everything under it.
 */
export async function ensureCerts(dir: string, hosts: string[] = ['localhost', '127.0.0.1', '::1']): Promise<EnsureResult> {
  mkdirSync(dir, { recursive: true });
  const generated: string[] = [];

  let caCert = read(dir, FILES.caCert);
  let caKey = read(dir, FILES.caKey);
  if (!caCert || !caKey || !usable(caCert) || !keyMatches(caCert, caKey)) {
    const ca = await createCa('DCR Mock Bank Test CA');
    caCert = ca.cert;
    caKey = ca.key;
    writeFileSync(join(dir, FILES.caCert), caCert);
    writeSecret(dir, FILES.caKey, caKey);
    generated.push('ca');
  }
  const ca = { cert: caCert, key: caKey };

  let serverCert = read(dir, FILES.serverCert);
  let serverKey = read(dir, FILES.serverKey);
  if (!serverCert || !serverKey || !usable(serverCert, caCert, hosts) || !keyMatches(serverCert, serverKey)) {
    const s = await issueCert(ca, [{ name: 'commonName', value: hosts[0] ?? 'localhost' }], { kind: 'server', hosts });
    serverCert = s.cert;
    serverKey = s.key;
    writeFileSync(join(dir, FILES.serverCert), serverCert);
    writeSecret(dir, FILES.serverKey, serverKey);
    generated.push('server');
  }

  const tpp = await ensureTpp(dir, ca, { cert: FILES.tppCert, key: FILES.tppKey, identity: FILES.tppIdentity }, 'tpp-transport', generated);
  // A second TPP certificate from the same CA, another subject DN: the pack's probes of a trusted certificate that is not the client's.
  const altTpp = await ensureTpp(dir, ca, { cert: FILES.altTppCert, key: FILES.altTppKey, identity: FILES.altTppIdentity }, 'tpp-transport-alt', generated);

  let directoryKey: JWK | undefined;
  const dk = read(dir, FILES.directoryKey);
  try {
    directoryKey = dk ? (JSON.parse(dk) as JWK) : undefined;
  } catch {
    directoryKey = undefined;
  }
  if (!directoryKey?.d || directoryKey.kty !== 'RSA' || !directoryKey.kid) {
    directoryKey = await createDirectoryKey();
    writeSecret(dir, FILES.directoryKey, JSON.stringify(directoryKey, null, 2));
    generated.push('directory-key');
  }

  const obfTpp = await ensureObfTpp(dir, ca, { cert: FILES.obfTppCert, key: FILES.obfTppKey, identity: FILES.obfTppIdentity }, 'obf-transport', generated);
  const obfAltTpp = await ensureObfTpp(dir, ca, { cert: FILES.obfAltTppCert, key: FILES.obfAltTppKey, identity: FILES.obfAltTppIdentity }, 'obf-transport-alt', generated, obfTpp.org_id);

  return { bundle: { ca, server: { cert: serverCert, key: serverKey }, tpp, altTpp, directoryKey, obfTpp, obfAltTpp }, generated };
}

/** A TPP transport certificate, key and software identity from `dir`, (re)issued under `ca` when missing or unusable. */
async function ensureTpp(dir: string, ca: PemPair, files: { cert: string; key: string; identity: string }, label: string, generated: string[]): Promise<TppCredentials> {
  const cert = read(dir, files.cert);
  const key = read(dir, files.key);
  const idText = read(dir, files.identity);
  let identity: SoftwareIdentity | undefined;
  try {
    identity = idText ? (JSON.parse(idText) as SoftwareIdentity) : undefined;
  } catch {
    identity = undefined;
  }
  if (cert && key && identity && usable(cert, ca.cert) && keyMatches(cert, key)) return { cert, key, ...identity, dn: certSubjectDn(cert) };
  const tpp = await issueTransportCert(ca, identity ?? makeIdentity(await makeFaker()));
  writeFileSync(join(dir, files.cert), tpp.cert);
  writeSecret(dir, files.key, tpp.key);
  const { software_id, org_id, org_name, software_client_name } = tpp;
  writeFileSync(join(dir, files.identity), JSON.stringify({ software_id, org_id, org_name, software_client_name }, null, 2));
  generated.push(label);
  return tpp;
}

/** An OBF transport certificate, key and identity from `dir`, (re)issued under `ca` when missing, unusable or not of `orgId`. */
async function ensureObfTpp(dir: string, ca: PemPair, files: { cert: string; key: string; identity: string }, label: string, generated: string[], orgId?: string): Promise<ObfTransport> {
  const cert = read(dir, files.cert);
  const key = read(dir, files.key);
  let identity: ObfIdentity | undefined;
  try {
    const text = read(dir, files.identity);
    identity = text ? (JSON.parse(text) as ObfIdentity) : undefined;
  } catch {
    identity = undefined;
  }
  if (identity && orgId !== undefined && identity.org_id !== orgId) identity = undefined;
  if (cert && key && identity && usable(cert, ca.cert) && keyMatches(cert, key)) return { ...identity, cert, key, dn: obfSubjectDn(cert) };
  const tpp = await issueObfTransportCert(ca, identity ?? makeObfIdentity(await makeFaker(), orgId));
  writeFileSync(join(dir, files.cert), tpp.cert);
  writeSecret(dir, files.key, tpp.key);
  const { software_id, org_id, org_name, software_client_name, org_number } = tpp;
  writeFileSync(join(dir, files.identity), JSON.stringify({ software_id, org_id, org_name, software_client_name, org_number }, null, 2));
  generated.push(label);
  return tpp;
}

export const certFiles = FILES;
