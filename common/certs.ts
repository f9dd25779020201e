/**
 * Certificates made on the spot (a CA and the certificates it issues), for the mock bank's own
 * bundle and for the conformance pack's probes (a CA no bank trusts). Shared by mock-server/ and
 * conformance/ (through fixtures/untrusted.ts), which import nothing from each other.
 */
import type SelfSigned from 'selfsigned';

export interface PemPair {
  cert: string;
  key: string;
}

const DAY = 86_400_000;

let selfsignedModule: Promise<typeof SelfSigned> | undefined;
/** selfsigned (with @peculiar/x509 and pkijs) loads only when a certificate is made: never on a warm start. */
const selfsigned = () => (selfsignedModule ??= import('selfsigned').then((m) => (m as { default?: typeof SelfSigned }).default ?? (m as unknown as typeof SelfSigned)));

type Attr = { name?: string; shortName?: string; value: string };

export async function createCa(commonName: string, days = 825, keyPair?: { privateKey: string; publicKey: string }): Promise<PemPair> {
  const now = Date.now();
  const pems = await (await selfsigned()).generate(
    [
      { name: 'commonName', value: commonName },
      { name: 'organizationName', value: 'DCR Mock Bank' },
      { name: 'countryName', value: 'GB' },
    ],
    {
      keySize: 2048,
      algorithm: 'sha256',
      notBeforeDate: new Date(now - DAY),
      notAfterDate: new Date(now + days * DAY),
      ...(keyPair ? { keyPair } : {}),
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      ],
    },
  );
  return { cert: pems.cert, key: pems.private };
}

export async function issueCert(
  ca: PemPair,
  subject: Attr[],
  use: { kind: 'server'; hosts: string[] } | { kind: 'client' },
  days = 397,
  /** The certificate's key pair (PKCS#8 and SPKI PEM); a fresh RSA 2048 one when absent. */
  keyPair?: { privateKey: string; publicKey: string },
): Promise<PemPair> {
  const now = Date.now();
  const altNames =
    use.kind === 'server'
      ? use.hosts.map((h) => (/^[\d.]+$|:/.test(h) ? { type: 7 as const, ip: h } : { type: 2 as const, value: h }))
      : [];
  const pems = await (await selfsigned()).generate(subject, {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now - DAY),
    notAfterDate: new Date(now + days * DAY),
    ca: { key: ca.key, cert: ca.cert },
    ...(keyPair ? { keyPair } : {}),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      use.kind === 'server' ? { name: 'extKeyUsage', serverAuth: true } : { name: 'extKeyUsage', clientAuth: true },
      ...(altNames.length ? [{ name: 'subjectAltName' as const, altNames }] : []),
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

