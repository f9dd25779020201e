import type { RequestHandler } from 'express';
import type { RuleId } from '../../catalogue/rules';
import { MethodNotAllowed, NotFound, RuleViolation } from '../errors';
import type { Profile } from '../profiles/types';

/**
 * The last handler of a known path: a method it does not serve is 405 with `Allow` listing the
 * ones it does (RFC 9110 15.5.6: the origin server "MUST generate an Allow header field"), not
 * the 404 of an unknown path. OPTIONS is answered 204 with the same Allow. HEAD is served wherever
 * GET is (Express runs the GET route), so it is not listed separately. A profile whose errors say
 * `wrongMethod: 'not-found'` answers as for an unknown path, in its envelope.
 */
export function methodNotAllowed(errors: Profile['errors'], allow: readonly string[], rule?: RuleId): RequestHandler {
  const header = allow.join(', ');
  return (req, res, next) => {
    if (errors.wrongMethod === 'not-found') {
      res.locals.profileEnvelope = true;
      return next(new NotFound(`no route for ${req.method} ${req.baseUrl}${req.path}`));
    }
    if (req.method === 'OPTIONS') {
      res.setHeader('allow', header);
      return res.status(204).end();
    }
    const detail = `${req.method} is not supported on ${req.baseUrl}${req.path} (allowed: ${header})`;
    next(rule ? new RuleViolation(rule, detail, { headers: { allow: header } }) : new MethodNotAllowed(detail, { headers: { allow: header } }));
  };
}
