import { resolve } from 'node:path';
import { ensureCerts } from '../mock-server/tls/certs';

const arg = process.argv[2];
if (arg === '--help' || arg === '-h') {
  process.stdout.write(`Usage: npm run certs [-- <dir>]

Generates (or reuses while valid) the test CA, the server certificate for localhost/127.0.0.1,
the TPP transport certificate and the directory signing key into <dir> (default $CERTS_DIR or ./certs).
`);
  process.exit(0);
}
if (arg?.startsWith('-')) {
  process.stderr.write(`certs: unknown option ${arg} (see --help)\n`);
  process.exit(2);
}
const dir = arg ?? process.env.CERTS_DIR ?? 'certs';
const { bundle, generated } = await ensureCerts(dir);
process.stdout.write(
  `${generated.length ? `generated: ${generated.join(', ')}` : 'all certificates reused (valid)'} in ${resolve(dir)}\n` +
    `TPP transport certificate subject: ${bundle.tpp.dn}\n`,
);
