import { describe, rules, type OAuthErrorCode, type RuleId } from '../catalogue/rules';

/** Longest error_description written: details quote untrusted input, which must not be echoed in full. */
export const MAX_DESCRIPTION = 1024;

function bounded(description: string): string {
  return description.length > MAX_DESCRIPTION ? `${description.slice(0, MAX_DESCRIPTION - 1)}…` : description;
}

/**
 * One error class per OAuth error code; the code is the contract, the message is for people.
 * The single error handler turns an OAuthError into its status and `{ error, error_description }`.
 */
export class OAuthError extends Error {
  readonly code: OAuthErrorCode;
  readonly status: number;
  readonly rule: RuleId | undefined;
  readonly headers: Record<string, string>;

  constructor(
    code: OAuthErrorCode,
    status: number,
    description: string,
    options: { rule?: RuleId; headers?: Record<string, string> } = {},
  ) {
    // No stack trace: an OAuthError is an answer to the client, not a fault of the mock. Nothing
    // reads its stack (the error handler answers with its code and description; no log line carries a stack), and
    // capturing one was about nine tenths of its cost (6-7 us of 7), on every refusal the pack provokes.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super(bounded(description));
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.rule = options.rule;
    this.headers = options.headers ?? {};
  }

  get description(): string {
    return this.message;
  }
}

type Options = { headers?: Record<string, string> };

function defineError(code: OAuthErrorCode, status: number) {
  return class extends OAuthError {
    constructor(description: string, options: Options & { rule?: RuleId } = {}) {
      super(code, status, description, options);
    }
  };
}

export const InvalidRedirectUri = defineError('invalid_redirect_uri', 400);
export const InvalidClientMetadata = defineError('invalid_client_metadata', 400);
export const InvalidSoftwareStatement = defineError('invalid_software_statement', 400);
export const UnapprovedSoftwareStatement = defineError('unapproved_software_statement', 400);
export const InvalidRequest = defineError('invalid_request', 400);
export const InvalidClient = defineError('invalid_client', 401);
export const InvalidToken = defineError('invalid_token', 401);
export const InsufficientScope = defineError('insufficient_scope', 403);
export const UnauthorizedClient = defineError('unauthorized_client', 400);
export const UnsupportedGrantType = defineError('unsupported_grant_type', 400);
export const InvalidScope = defineError('invalid_scope', 400);
export const InvalidGrant = defineError('invalid_grant', 400);
export const AccessDenied = defineError('access_denied', 403);
export const NotFound = defineError('not_found', 404);
export const MethodNotAllowed = defineError('method_not_allowed', 405);
/** RFC 6749 4.1.2.1: the server is overloaded or a limit is reached for now; Retry-After says when to try again. */
export const TemporarilyUnavailable = defineError('temporarily_unavailable', 503);

/**
 * A bounded store is full of live entries and refuses to forget one to make room: answered
 * 503 temporarily_unavailable with Retry-After (seconds until room is expected).
 */
export class StoreFull extends OAuthError {
  readonly store: string;
  readonly retryAfterSeconds: number;

  constructor(store: string, description: string, retryAfterSeconds: number) {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    super('temporarily_unavailable', 503, description, { headers: { 'retry-after': String(seconds) } });
    this.store = store;
    this.retryAfterSeconds = seconds;
  }
}

const statusOf: Record<OAuthErrorCode, number> = {
  invalid_redirect_uri: 400,
  invalid_client_metadata: 400,
  invalid_software_statement: 400,
  unapproved_software_statement: 400,
  invalid_request: 400,
  invalid_client: 401,
  invalid_token: 401,
  insufficient_scope: 403,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  invalid_grant: 400,
  access_denied: 403,
  not_found: 404,
  method_not_allowed: 405,
  temporarily_unavailable: 503,
  server_error: 500,
};

/** A rule failure: the error code and status come from the catalogue entry of the rule. */
export class RuleViolation extends OAuthError {
  declare readonly rule: RuleId;
  /** When a check ran every rule instead of stopping at the first: all the failures, this one first. */
  related: RuleViolation[] = [];

  constructor(rule: RuleId, detail: string, options: Options = {}) {
    const code = rules[rule].error;
    super(code, statusOf[code], describe(rule, detail), { ...options, rule });
  }
}

/** Throws the first of several violations, carrying them all. */
export function throwAll(violations: RuleViolation[]): void {
  if (violations.length === 0) return;
  const first = violations[0]!;
  first.related = violations;
  throw first;
}

export function violation(rule: RuleId, detail: string): never {
  throw new RuleViolation(rule, detail);
}
