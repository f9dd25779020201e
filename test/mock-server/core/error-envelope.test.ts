import { renderError } from '../../../mock-server/core/error-envelope';
import { NotFound, OAuthError, RuleViolation } from '../../../mock-server/errors';
import { emailDeferred } from '../../../mock-server/profiles/email-deferred';
import { cpbSandbox } from '../../../mock-server/profiles/cpb-sandbox';
import { obie } from '../../../mock-server/profiles/obie';

describe('renderError: the profile\'s error envelope', () => {
  const v = new RuleViolation('REQ-EXP', 'exp 1 is in the past');

  test('oauth: {error, error_description} with the rule\'s status; the rule in x-dcr-rule', () => {
    expect(renderError(v, obie.errors)).toEqual({
      status: 400,
      body: { error: 'invalid_client_metadata', error_description: 'REQ-EXP: exp 1 is in the past' },
      headers: { 'x-dcr-rule': 'REQ-EXP' },
    });
  });

  test('empty: the status alone, headers kept', () => {
    const bearer = new RuleViolation('MGT-TOKEN-VALID', 'x', { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
    expect(renderError(bearer, cpbSandbox.errors)).toEqual({
      status: 401,
      body: undefined,
      headers: { 'www-authenticate': 'Bearer error="invalid_token"', 'x-dcr-rule': 'MGT-TOKEN-VALID' },
    });
  });

  test('tppMessages: each rule in its class, unlisted rules in the default class, every related failure listed', () => {
    const first = new RuleViolation('SSA-ALG', 'HS256');
    first.related = [first, v];
    expect(renderError(first, emailDeferred.errors)).toMatchObject({
      status: 401,
      body: { tppMessages: [{ category: 'AccessDenied', code: 401, text: 'SSA-ALG: HS256' }, { category: 'Invalid', code: 406, text: 'REQ-EXP: exp 1 is in the past' }] },
    });
  });

  test('tppMessages: an unknown path is the profile\'s notFound answer; a rule-less error keeps its code and status', () => {
    expect(renderError(new NotFound('no route'), emailDeferred.errors)).toMatchObject({
      status: 404,
      body: { tppMessages: [{ category: 'ResourceUnknown', code: 404, text: 'The addressed resource is unknown relative to the TPP.' }] },
    });
    expect(renderError(new OAuthError('server_error', 500, 'An unexpected error occurred.'), emailDeferred.errors)).toMatchObject({
      status: 500,
      body: { tppMessages: [{ category: 'server_error', code: 500, text: 'An unexpected error occurred.' }] },
    });
  });
});
