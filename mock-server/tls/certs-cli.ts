import { resolve } from 'node:path';
import { ensureCerts } from './certs';

export const CERTS_HELP = `Usage: npm run certs [-- <dir>]      (or: npx dcr-mockbank certs [<dir>])

Generates (or reuses while valid) the test CA, the server certificate for localhost/127.0.0.1,
the TPP transport certificate and the directory signing key into <dir> (default $CERTS_DIR or ./certs).
`;

/** `certs [dir]`: exit code 0 when the certificates are in place, 2 on a usage error. --help writes nothing to disk. */
export async function certsMain(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const arg = argv[0];
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(CERTS_HELP);
    return 0;
  }
  if (arg?.startsWith('-')) {
    process.stderr.write(`certs: unknown option ${arg} (see --help)\n`);
    return 2;
  }
  if (argv.length > 1) {
    process.stderr.write(`certs: one directory at most (see --help)\n`);
    return 2;
  }
  const dir = arg ?? env.CERTS_DIR ?? 'certs';
  const { bundle, generated } = await ensureCerts(dir);
  process.stdout.write(
    `${generated.length ? `generated: ${generated.join(', ')}` : 'all certificates reused (valid)'} in ${resolve(dir)}\n` +
      `TPP transport certificate subject: ${bundle.tpp.dn}\n`,
  );
  return 0;
}
