/**
 * The compiled baseline of bench/pack.ts: a DCR conformance tool built from Go (the official OBIE
 * conformance-dcr CLI, cmd/cli, built outside this repository; nothing of it is committed here),
 * given as `DCR_COMPILED_TOOL=<path to its binary>`. The bench writes that tool's config for the
 * bench's own mock (an SSA minted by the mock directory for a fresh PS256 software key, the mock's
 * CA and TPP transport certificate) and runs it as a fresh process, spawn to exit. Go reads its
 * trusted roots for discovery from SSL_CERT_FILE, so that names the mock's CA (no -tlsskipverify).
 * `DCR_COMPILED_TOOL_CONFIG` may name a JSON file whose fields (spec_version, environment, brand,
 * *_implemented ...) are laid under the generated ones.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signingKey } from '../fixtures/keys';
import { createDirectoryAdapter } from '../conformance/directory';
import type { Target } from '../conformance/target';

export interface CompiledTool {
  run(): Promise<{ ms: number; code: number | null; passes: number; fails: number }>;
  close(): void;
}

/** Why the compiled leg cannot run, or undefined when it can. */
export function compiledToolMissing(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const bin = env.DCR_COMPILED_TOOL;
  if (!bin) return 'DCR_COMPILED_TOOL is not set (the path to a built Go DCR conformance tool, e.g. OpenBankingUK/conformance-dcr cmd/cli; none ships with this repository)';
  if (!existsSync(bin)) return `DCR_COMPILED_TOOL=${bin} does not exist`;
  const config = env.DCR_COMPILED_TOOL_CONFIG;
  if (config && !existsSync(config)) return `DCR_COMPILED_TOOL_CONFIG=${config} does not exist`;
  return undefined;
}

/** The Go tool's config for the mock behind `target`, and a runner for it. */
export async function compiledTool(target: Target, env: NodeJS.ProcessEnv = process.env): Promise<CompiledTool> {
  const bin = env.DCR_COMPILED_TOOL!;
  const wellKnown = target.discoveryUrl;
  if (!wellKnown) throw new Error('the compiled leg needs the discovery URL');
  if (target.directory.mode !== 'mock-endpoint' || !target.transport || !target.ca) throw new Error('the compiled leg needs the mock directory, a transport certificate and the CA');
  const key = await signingKey('PS256');
  const directory = createDirectoryAdapter(
    target.directory,
    { softwareId: target.softwareId!, orgId: target.orgId!, redirectUris: target.redirectUris, roles: target.roles ?? ['AISP', 'PISP', 'CBPII'], jwks: { keys: [key.publicJwk as never] } },
    { ca: target.ca, insecure: false, timeoutMs: target.timeoutMs },
    { cert: target.transport.cert, key: target.transport.key },
  );
  const ssa = await directory.base();
  const discovery = await fetchIssuer(wellKnown, target);
  const base = env.DCR_COMPILED_TOOL_CONFIG ? (JSON.parse(readFileSync(env.DCR_COMPILED_TOOL_CONFIG, 'utf8')) as Record<string, unknown>) : {};
  const dir = mkdtempSync(join(tmpdir(), 'dcr-bench-compiled-'));
  writeFileSync(join(dir, 'ca.pem'), target.ca);
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      spec_version: target.specVersion,
      get_implemented: true,
      put_implemented: true,
      delete_implemented: true,
      environment: 'sandbox',
      brand: 'DCR mock bank',
      ...base,
      wellknown_endpoint: wellKnown,
      ssa,
      kid: key.kid,
      aud: discovery,
      redirect_uris: target.redirectUris.slice(0, 1),
      issuer: target.softwareId,
      private_key: key.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
      transport_root_cas: [target.ca],
      transport_cert: target.transport.cert,
      transport_key: target.transport.key,
    }),
  );
  return {
    run: () => {
      const started = performance.now();
      return new Promise((resolve) => {
        let out = '';
        const c = spawn(bin, ['-config-path', join(dir, 'config.json')], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, SSL_CERT_FILE: join(dir, 'ca.pem') } });
        c.stdout.on('data', (d: Buffer) => (out += d.toString()));
        c.stderr.on('data', (d: Buffer) => (out += d.toString()));
        c.on('exit', (code) => {
          const ms = performance.now() - started;
          // eslint-disable-next-line no-control-regex
          const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
          resolve({ ms, code, passes: (plain.match(/^\s*PASS\b/gm) ?? []).length, fails: (plain.match(/^\s*FAIL\b/gm) ?? []).length });
        });
      });
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The bank's issuer, the aud of the Go tool's request JWTs. */
async function fetchIssuer(url: string, target: Target): Promise<string> {
  const { httpsRequest } = await import('../fixtures/https');
  const res = await httpsRequest(url, { method: 'GET', ...(target.ca ? { ca: target.ca } : {}), timeoutMs: target.timeoutMs });
  const issuer = (res.json as { issuer?: unknown } | undefined)?.issuer;
  if (res.status !== 200 || typeof issuer !== 'string') throw new Error(`discovery at ${url} gave no issuer (${res.status})`);
  return issuer;
}
