import { mkdtempSync, readFileSync, writeFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { ensureCerts } from '../../mock-server/tls/certs';
import { createCa, issueCert } from '../../common/certs';
import { dnEquals } from '../../common/dn';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'certs-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ensureCerts', () => {
  test('first run generates everything; the TPP DN follows OBIE; keys are private files', async () => {
    const { bundle, generated } = await ensureCerts(dir);
    expect(generated).toEqual(['ca', 'server', 'tpp-transport', 'tpp-transport-alt', 'directory-key', 'obf-transport', 'obf-transport-alt']);
    expect(bundle.altTpp?.dn).not.toBe(bundle.tpp.dn);
    // The OBF transport certificates: UID = software_id, organizationIdentifier = OFBBR-<org_id>; the second of the same organisation, another UID.
    expect(bundle.obfTpp!.dn).toMatch(new RegExp(`^UID=${bundle.obfTpp!.software_id},2\\.5\\.4\\.97=#`));
    expect(new X509Certificate(bundle.obfTpp!.cert).subject).toContain(`organizationIdentifier=OFBBR-${bundle.obfTpp!.org_id}`);
    expect([bundle.obfAltTpp!.org_id, bundle.obfAltTpp!.software_id === bundle.obfTpp!.software_id]).toEqual([bundle.obfTpp!.org_id, false]);
    expect(statSync(join(dir, 'obf-transport.key')).mode & 0o077).toBe(0);
    expect(new X509Certificate(bundle.altTpp!.cert).checkIssued(new X509Certificate(bundle.ca.cert))).toBe(true);
    const tpp = new X509Certificate(bundle.tpp.cert);
    expect(dnEquals(bundle.tpp.dn, `CN=${bundle.tpp.software_id},OU=${bundle.tpp.org_id},O=${bundle.tpp.org_name},C=GB`)).toBe(true);
    expect(tpp.checkIssued(new X509Certificate(bundle.ca.cert))).toBe(true);
    const server = new X509Certificate(bundle.server.cert);
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(statSync(join(dir, 'ca.key')).mode & 0o077).toBe(0);
    expect(statSync(join(dir, 'tpp-transport.key')).mode & 0o077).toBe(0);
    expect(bundle.directoryKey).toMatchObject({ kty: 'RSA', alg: 'PS256' });
    // The second transport certificate is kept too, so a warm start makes no key.
    expect(statSync(join(dir, 'tpp-transport-alt.key')).mode & 0o077).toBe(0);
  });

  test('a second run reuses them', async () => {
    const before = readFileSync(join(dir, 'tpp-transport.pem'), 'utf8');
    const alt = readFileSync(join(dir, 'tpp-transport-alt.pem'), 'utf8');
    const { generated, bundle } = await ensureCerts(dir);
    expect(generated).toEqual([]);
    expect(readFileSync(join(dir, 'tpp-transport.pem'), 'utf8')).toBe(before);
    expect(bundle.altTpp!.cert).toBe(alt);
  });

  test('an expired server certificate is regenerated, the rest kept', async () => {
    const { bundle } = await ensureCerts(dir);
    const expired = await issueCert(bundle.ca, [{ name: 'commonName', value: 'localhost' }], { kind: 'server', hosts: ['localhost', '127.0.0.1', '::1'] }, -2);
    writeFileSync(join(dir, 'server.pem'), expired.cert);
    writeFileSync(join(dir, 'server.key'), expired.key);
    const { generated } = await ensureCerts(dir);
    expect(generated).toEqual(['server']);
  });

  test('a missing or corrupt file is regenerated', async () => {
    rmSync(join(dir, 'directory-signing.jwk.json'));
    writeFileSync(join(dir, 'tpp-transport.pem'), 'garbage');
    const { generated } = await ensureCerts(dir);
    expect(generated).toEqual(['tpp-transport', 'directory-key']);
  });

  test('a new CA re-issues the certificates under it', async () => {
    const ca = await createCa('Other CA');
    writeFileSync(join(dir, 'ca.pem'), ca.cert);
    const { generated } = await ensureCerts(dir);
    expect(generated).toEqual(['ca', 'server', 'tpp-transport', 'tpp-transport-alt', 'obf-transport', 'obf-transport-alt']);
  });
});
