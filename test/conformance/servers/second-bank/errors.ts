/** One error type for the bank: the OAuth error code is the contract, the status and headers follow it. */
export class BankError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly description: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(`${error}: ${description}`);
  }
}

/** RFC 7591 3.2.2 codes (400). */
export const badMetadata = (d: string) => new BankError(400, 'invalid_client_metadata', d);
export const badRedirect = (d: string) => new BankError(400, 'invalid_redirect_uri', d);
export const badSsa = (d: string) => new BankError(400, 'invalid_software_statement', d);
export const unapprovedSsa = (d: string) => new BankError(400, 'unapproved_software_statement', d);

/** RFC 6749 5.2. Basic: "MUST respond with an HTTP 401 ... and include the WWW-Authenticate response header". */
export const invalidClient = (d: string, basic: boolean) =>
  new BankError(401, 'invalid_client', d, basic ? { 'www-authenticate': 'Basic realm="second-bank", charset="UTF-8"' } : {});
export const tokenError = (error: string, d: string) => new BankError(400, error, d);

/** RFC 6750 3.1 (and RFC 8705 3 for a certificate that does not match the token). */
export const bearerError = (status: 401 | 403, error: 'invalid_token' | 'insufficient_scope' | null, d: string) =>
  new BankError(status, error ?? 'invalid_token', d, {
    'www-authenticate': error
      ? `Bearer realm="second-bank", error="${error}", error_description="${d.replace(/["\\]/g, '')}"`
      : 'Bearer realm="second-bank"',
  });
