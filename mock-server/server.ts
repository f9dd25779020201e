import { resolve } from 'node:path';
import { loadConfig, HELP, ConfigError, adminEnabled } from './config';
import { createLogger } from './logger';
import { startMockBank } from './runtime';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`error: ${e.message}\n\n${HELP}`);
      process.exit(2);
    }
    throw e;
  }
  if (config === 'help') {
    process.stdout.write(HELP);
    return;
  }
  const logger = createLogger(config.logLevel);
  const bank = await startMockBank({ ...config, logger });
  const certsDir = resolve(config.certsDir);
  logger.info('mock bank listening', {
    url: bank.url,
    bind: `${config.host}:${bank.port}`,
    profile: config.profile,
    discovery: `${bank.issuer}/.well-known/openid-configuration`,
    registration_endpoint: bank.urls.register,
    directory: bank.urls.directory,
    ca_cert: `${certsDir}/ca.pem`,
    tpp_transport_cert: `${certsDir}/tpp-transport.pem`,
    tpp_transport_key_file: `${certsDir}/tpp-transport.key`,
    tpp_software_id: bank.tpp.software_id,
    tpp_subject_dn: bank.tpp.dn,
    // The obf profile: its OBF directory and transport certificate (UID = software_id, organizationIdentifier = OFBBR-<org_id>).
    ...(bank.profile.registration.dialect === 'obf' && bank.certs.obfTpp ? {
      obf_directory: `${(config.directoryUrl ?? bank.url).replace(/\/$/, '')}/obf-directory`,
      obf_transport_cert: `${certsDir}/obf-transport.pem`,
      obf_transport_key_file: `${certsDir}/obf-transport.key`,
      obf_software_id: bank.certs.obfTpp.software_id,
      obf_org_id: bank.certs.obfTpp.org_id,
      obf_subject_dn: bank.certs.obfTpp.dn,
    } : {}),
    ...(bank.portal ? { portal_client_id: bank.portal.client_id, portal_token_endpoint: bank.urls.token } : {}),
    ...(bank.profile.registration.deferred ? { smtp: config.smtpUrl ?? 'not configured: results are kept in GET /__admin/outbox only' } : {}),
    ...(config.faults.length ? { faults: config.faults } : {}),
    ...(config.seed ? { seed: 'set: client ids and secrets are predictable (tests only, never a shared sandbox)' } : {}),
    ...(adminEnabled(config) ? { dashboard: `${bank.url}/__admin/ui` } : {}),
  });
  if (bank.portal) {
    // The structured log never carries secrets; this sandbox credential is printed for the user, on stderr.
    process.stderr.write(
      `developer-portal application (client_credentials with client_secret_basic at ${bank.urls.token}):\n` +
        `  PORTAL_CLIENT_ID=${bank.portal.client_id}\n  PORTAL_CLIENT_SECRET=${bank.portal.client_secret}\n`,
    );
  }
  const stop = async (signal: string) => {
    logger.info('shutting down', { signal });
    await bank.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((e: unknown) => {
  const err = e as NodeJS.ErrnoException;
  const msg = err.code === 'EADDRINUSE' ? `port already in use (${err.message})` : err.message;
  process.stderr.write(`error: ${msg}\n`);
  process.exit(1);
});
