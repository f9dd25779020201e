import { parseArgs } from 'node:util';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { X509Certificate } from 'node:crypto';
import type { JWK } from 'jose';
import { signingKey, signingKeyFromJwk } from '../../fixtures/keys';
import { registrationClaims, signJws, decodePayload } from '../../fixtures/registration';
import { httpsRequest } from '../../fixtures/https';
import { formatDn, parseDn } from '../../common/dn';
import { defaults } from '../config';
import { mockUrl } from '../mock-url';

const HELP = `Usage:
  npx dcr-mockbank mint-ssa [options]       mint an SSA from the running mock bank's directory
  npx dcr-mockbank sign-request [options]   sign a registration request JWT for that SSA
  (in a clone of the repository: npm run mint-ssa -- [options], npm run sign-request -- [options])

The mock bank's URL: --url, else $MOCK_URL, else $PUBLIC_URL, else https://localhost:$PORT
(PORT defaults to the mock's ${defaults.port}).

mint-ssa options:
  --url <url>             mock bank base URL (default: see above)
  --certs-dir <dir>       where ca.pem and tpp-identity.json are (default ./certs)
  --software-id <id>      software_id (default: the generated TPP certificate's, from tpp-identity.json)
  --org-id <id>           org_id (default: the TPP certificate's)
  --redirect-uri <uri>    a software_redirect_uri; repeat for several (default https://tpp.example.com/callback)
  --roles <list>          software_roles, comma-separated (default AISP,PISP,CBPII)
  --jwks <file>           your software's public JWKS; otherwise a PS256 key is generated for you
  --key-out <file>        where to write the generated private key (default certs/software-<software_id>.key.json)
  --out <file>            also write the SSA to this file
  --cert <file>           client certificate presented to the directory (default certs/tpp-transport.pem
  --cert-key <file>       and certs/tpp-transport.key, when present); a software_id belongs to the
                          certificate that first minted for it
  --secret-file <file>    the software_secret the directory returns when a mint creates a software_id:
                          written there, and sent on later mints for that software_id
                          (default certs/software-<software_id>.secret)

sign-request options:
  --ssa <file>            the SSA (a file holding the JWT)                                [required]
  --key <file>            your private signing key as a JWK (what mint-ssa wrote)         [required]
  --url <url>             mock bank base URL, the default aud (default: see above)
  --aud <value>           the bank: its issuer URL or directory id (default: the mock bank's URL)
  --redirect-uri <uri>    a redirect_uri; repeat for several (default: the SSA's first)
  --auth <method>         tls_client_auth | private_key_jwt | client_secret_basic | client_secret_post
                          (default tls_client_auth)
  --cert <file>           transport certificate whose subject DN to register (default certs/tpp-transport.pem)
  --version <v>           3.1 | 3.2 | 3.3 (3.1 sends tls_client_auth_dn and scope as an array; default 3.3)
  --scope <scopes>        space-separated scopes (default "openid accounts payments")
  --claim <name=json>     set any other claim (value parsed as JSON, else taken as a string); repeatable
  --out <file>            also write the JWT to this file

Both print their result on stdout; messages go to stderr.
`;

class CliError extends Error {}

function readText(file: string, what: string): string {
  if (!existsSync(file)) throw new CliError(`${what}: no file at ${file}`);
  return readFileSync(file, 'utf8').trim();
}

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(readText(file, what));
  } catch (e) {
    if (e instanceof CliError) throw e;
    throw new CliError(`${what}: ${file} is not JSON`);
  }
}

function writePrivate(file: string, content: string) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content, { mode: 0o600 });
}

async function mint(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      'certs-dir': { type: 'string', default: 'certs' },
      'software-id': { type: 'string' },
      'org-id': { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      roles: { type: 'string' },
      jwks: { type: 'string' },
      'key-out': { type: 'string' },
      out: { type: 'string' },
      cert: { type: 'string' },
      'cert-key': { type: 'string' },
      'secret-file': { type: 'string' },
    },
    strict: true,
  });
  const certsDir = values['certs-dir'];
  const identityFile = join(certsDir, 'tpp-identity.json');
  const identity = existsSync(identityFile) ? (readJson(identityFile, 'TPP identity') as Record<string, string>) : {};
  const softwareId = values['software-id'] ?? identity.software_id;

  let privateJwk: JWK | undefined;
  let jwks: unknown;
  if (values.jwks) {
    jwks = readJson(values.jwks, '--jwks');
  } else {
    const key = await signingKey('PS256');
    privateJwk = key.privateJwk;
    jwks = { keys: [key.publicJwk] };
  }
  const body: Record<string, unknown> = {
    jwks,
    software_redirect_uris: values['redirect-uri'] ?? ['https://tpp.example.com/callback'],
    ...(softwareId ? { software_id: softwareId } : {}),
    ...((values['org-id'] ?? identity.org_id) ? { org_id: values['org-id'] ?? identity.org_id } : {}),
    ...(identity.org_name ? { org_name: identity.org_name } : {}),
    ...(values.roles ? { software_roles: values.roles.split(',').map((r) => r.trim()) } : {}),
  };
  const caFile = join(certsDir, 'ca.pem');
  // The transport certificate proves the software_id is ours (the mock binds it to the first minter's).
  const certFile = values.cert ?? join(certsDir, 'tpp-transport.pem');
  const certKeyFile = values['cert-key'] ?? (values.cert ? undefined : join(certsDir, 'tpp-transport.key'));
  if (values.cert && !certKeyFile) throw new CliError('--cert needs --cert-key (the certificate\'s private key)');
  const client = existsSync(certFile) && certKeyFile && existsSync(certKeyFile)
    ? { cert: readFileSync(certFile, 'utf8'), key: readFileSync(certKeyFile, 'utf8') }
    : undefined;
  if (values.cert && !client) throw new CliError(`--cert ${values.cert} / --cert-key ${certKeyFile}: no such file`);
  const secretFile = (id: string) => values['secret-file'] ?? join(certsDir, `software-${id}.secret`);
  const secret = softwareId && existsSync(secretFile(softwareId)) ? readText(secretFile(softwareId), 'software secret') : undefined;
  const url = `${(values.url ?? mockUrl()).replace(/\/$/, '')}/directory/ssa`;
  let res;
  try {
    res = await httpsRequest(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret ? { authorization: `Bearer ${secret}` } : {}) },
      body: JSON.stringify(body),
      ...(existsSync(caFile) ? { ca: readFileSync(caFile, 'utf8') } : {}),
      ...(client ? { client } : {}),
    });
  } catch (e) {
    throw new CliError(`could not reach the mock bank at ${url} (${(e as Error).message}); is it running (npm start)?`);
  }
  const json = res.json as Record<string, unknown> | undefined;
  if (res.status !== 201 || typeof json?.software_statement !== 'string') {
    const hint = res.status === 403
      ? `\n(the software_id belongs to whoever first minted for it: mint with that client certificate (--cert/--cert-key) or its software_secret (--secret-file), or choose another --software-id)`
      : '';
    throw new CliError(`the directory refused: HTTP ${res.status} ${res.text.slice(0, 500)}${hint}`);
  }
  if (typeof json.software_secret === 'string') {
    const file = secretFile(String(json.software_id));
    writePrivate(file, json.software_secret + '\n');
    process.stderr.write(`software_secret (owns software_id ${String(json.software_id)} at this directory) written to ${resolve(file)}\n`);
  }
  if (privateJwk) {
    const keyOut = values['key-out'] ?? join(certsDir, `software-${String(json.software_id)}.key.json`);
    writePrivate(keyOut, JSON.stringify(privateJwk, null, 2));
    process.stderr.write(`software signing key (private JWK, kid ${privateJwk.kid}) written to ${resolve(keyOut)}\n`);
  }
  if (values.out) {
    writeFileSync(values.out, json.software_statement + '\n');
    process.stderr.write(`SSA written to ${resolve(values.out)}\n`);
  }
  process.stderr.write(`software_id ${String(json.software_id)}, org_id ${String(json.org_id)}, software_jwks_endpoint ${String(json.software_jwks_endpoint)}\n`);
  process.stdout.write(json.software_statement + '\n');
}

function claimValue(raw: string): [string, unknown] {
  const eq = raw.indexOf('=');
  if (eq < 1) throw new CliError(`--claim ${raw}: expected name=value`);
  const name = raw.slice(0, eq);
  const text = raw.slice(eq + 1);
  try {
    return [name, JSON.parse(text)];
  } catch {
    return [name, text];
  }
}

async function signRequest(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      ssa: { type: 'string' },
      key: { type: 'string' },
      url: { type: 'string' },
      aud: { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      auth: { type: 'string', default: 'tls_client_auth' },
      cert: { type: 'string', default: 'certs/tpp-transport.pem' },
      version: { type: 'string', default: '3.3' },
      scope: { type: 'string' },
      claim: { type: 'string', multiple: true },
      out: { type: 'string' },
    },
    strict: true,
  });
  if (!values.ssa) throw new CliError('--ssa is required (the file holding the SSA JWT)');
  if (!values.key) throw new CliError('--key is required (your private signing key as a JWK)');
  const methods = ['tls_client_auth', 'private_key_jwt', 'client_secret_basic', 'client_secret_post'] as const;
  const auth = values.auth as (typeof methods)[number];
  if (!methods.includes(auth)) throw new CliError(`--auth must be one of ${methods.join(', ')}`);
  if (!['3.1', '3.2', '3.3'].includes(values.version)) throw new CliError('--version must be 3.1, 3.2 or 3.3');
  const ssa = readText(values.ssa, '--ssa');
  let ssaClaims: Record<string, unknown>;
  try {
    ssaClaims = decodePayload(ssa);
  } catch {
    throw new CliError(`--ssa ${values.ssa} does not hold a JWT`);
  }
  const key = await signingKeyFromJwk(readJson(values.key, '--key') as JWK);
  let subjectDn: string | undefined;
  if (auth === 'tls_client_auth') {
    subjectDn = formatDn(parseDn(new X509Certificate(readText(values.cert, '--cert')).subject));
  }
  const ssaRedirects = Array.isArray(ssaClaims.software_redirect_uris) ? (ssaClaims.software_redirect_uris as string[]) : [];
  const claims = registrationClaims({
    softwareId: String(ssaClaims.software_id ?? ''),
    softwareStatement: ssa,
    redirectUris: values['redirect-uri'] ?? ssaRedirects.slice(0, 1),
    aud: values.aud ?? (values.url ?? mockUrl()).replace(/\/$/, ''),
    authMethod: auth,
    ...(subjectDn ? { subjectDn } : {}),
    version: values.version as '3.1' | '3.2' | '3.3',
    ...(values.scope ? { scope: values.scope } : {}),
  });
  for (const raw of values.claim ?? []) {
    const [name, value] = claimValue(raw);
    claims[name] = value;
  }
  const jwt = await signJws(claims, key);
  if (values.out) writeFileSync(values.out, jwt + '\n');
  process.stdout.write(jwt + '\n');
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  const [command, ...rest] = argv;
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  try {
    if (command === 'mint' || command === 'mint-ssa') await mint(rest);
    else if (command === 'sign-request') await signRequest(rest);
    else {
      process.stdout.write(HELP);
      return command === undefined || command === '--help' || command === '-h' ? 0 : 2;
    }
    return 0;
  } catch (e) {
    if (e instanceof CliError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`error: ${(e as Error).message}\n\n${HELP}`);
      return 2;
    }
    throw e;
  }
}
