import { resolve } from 'node:path';
import { ensureCerts } from '../mock-server/tls/certs';

const dir = process.argv[2] ?? process.env.CERTS_DIR ?? 'certs';
const { bundle, generated } = await ensureCerts(dir);
process.stdout.write(
  `${generated.length ? `generated: ${generated.join(', ')}` : 'all certificates reused (valid)'} in ${resolve(dir)}\n` +
    `TPP transport certificate subject: ${bundle.tpp.dn}\n`,
);
