import { definePlan } from './plan';
import { clientRegistered } from './controls';
import { obfRegistrationChecks } from '../rules/obf';
import { declares, freshStatement, obfMetadata, obfRegistrationSweep, obfRequest, obfTlsSweep, sendObf } from '../sweep/obf';
import { sweepChecks, sweepSteps } from '../sweep/table';

/**
 * Open Finance Brasil registration: POST registration_endpoint over mTLS with JSON metadata and a
 * freshly minted directory SSA, once per auth method the target declares, one with a client_name of
 * its own (the SSA's takes precedence), then the one-change sweeps of the two controls.
 */
export const obfRegistrationPlan = definePlan({
  id: 'obf-registration',
  title: 'Open Finance Brasil registration (POST registration_endpoint, JSON metadata with the directory SSA, over mTLS)',
  steps: [
    { name: 'obf-register', kind: 'registration', accepted: clientRegistered, skipIf: declares('private_key_jwt'), run: async (s) => sendObf(s, 'obf-register', await obfRequest(s, 'private_key_jwt')) },
    { name: 'obf-register-tls', kind: 'registration', accepted: clientRegistered, skipIf: declares('tls_client_auth'), run: async (s) => sendObf(s, 'obf-register-tls', await obfRequest(s, 'tls_client_auth')) },
    {
      // One change from obf-register (the client_name): judged only once that control is accepted, so a bank that
      // registers nothing has it blocked, not warned of.
      name: 'obf-register-precedence', kind: 'registration', needs: ['obf-register'], skipIf: declares('private_key_jwt'),
      run: async (s) => sendObf(s, 'obf-register-precedence', { metadata: { ...obfMetadata(s, await freshStatement(s), 'private_key_jwt'), client_name: 'DCR conformance (not the SSA name)' } }),
    },
    ...sweepSteps(obfRegistrationSweep),
    ...sweepSteps(obfTlsSweep),
  ],
  checks: [...obfRegistrationChecks, ...sweepChecks(obfRegistrationSweep), ...sweepChecks(obfTlsSweep)],
});
