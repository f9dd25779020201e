import { definePlan } from './plan';
import { clientRegistered } from './controls';
import { rfc7591RegistrationChecks } from '../rules/rfc7591';
import { controlMetadata, rfc7591RegistrationSweep, sendMetadata } from '../sweep/rfc7591';
import { sweepChecks, sweepSteps } from '../sweep/table';

/** Plain RFC 7591: POST registration_endpoint with JSON metadata, then the one-change sweep of that request. */
export const rfc7591RegistrationPlan = definePlan({
  id: 'rfc7591-registration',
  title: 'RFC 7591 registration (POST registration_endpoint, JSON metadata)',
  steps: [
    { name: 'rfc7591-register', accepted: clientRegistered, run: (s) => sendMetadata(s, 'rfc7591-register', { metadata: controlMetadata(s, 'register') }) },
    ...sweepSteps(rfc7591RegistrationSweep),
  ],
  checks: [...rfc7591RegistrationChecks, ...sweepChecks(rfc7591RegistrationSweep)],
});
