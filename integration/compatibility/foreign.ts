/**
 * Servers we did not write, judged by the pack in `npm test` (not mock profiles): what each does
 * where the RFCs leave it a choice, and where it departs from a sentence, with that sentence. A
 * departure is never waived here: its check fails or warns, and the server's test asserts it.
 */
export interface ForeignNote {
  /** The checks the note is about. */
  checks: string[];
  /** A spec code (catalogue/references.ts) and the sentence, verbatim. */
  ref: string;
  sentence: string;
  /** What the server does, and how the pack judges it. */
  what: string;
}

export interface ForeignServer {
  name: string;
  /** How the test starts it and points the pack at it. */
  setup: string;
  test: string;
  summary: string;
  /** Departures from a sentence: each check fails or warns. */
  departures: ForeignNote[];
  /** Choices the RFCs allow, and how the pack accepts them. */
  choices: ForeignNote[];
}

export const FOREIGN: readonly ForeignServer[] = [
  {
    name: 'node-oidc-provider (npm oidc-provider 9)',
    setup: 'in-process on 127.0.0.1 over HTTPS; features.registration (with a static initialAccessToken, and without), features.registrationManagement with rotateRegistrationAccessToken; target `{"dialect": "rfc7591", "discoveryUrl": ..., "initialAccessToken": ...}`',
    test: 'test/conformance/oidc-provider.test.ts',
    summary: 'Every rfc7591 check passes (the two initial access token rows are declared skips on open registration); every OBIE check is n/a. No departure from a sentence the pack judges was found.',
    departures: [],
    choices: [
      {
        checks: ['RFC7592-PUT-REGISTRATION-ACCESS-TOKEN', 'RFC7592-PUT-REGISTRATION-CLIENT-URI', 'RFC7592-PUT-CLIENT-ID-ISSUED-AT', 'RFC7592-PUT-CLIENT-SECRET-EXPIRES-AT'],
        ref: 'RFC7592-2.2',
        sentence: 'The updated client metadata fields request MUST NOT include the "registration_access_token", "registration_client_uri", "client_secret_expires_at", or "client_id_issued_at" fields described in Section 3.',
        what: 'refuses such a PUT with 400 invalid_request ("request MUST NOT include the ... field"); the pack accepts a refusal or a 200 that keeps the server\'s own value.',
      },
      {
        checks: ['RFC7591-UNKNOWN-METADATA-IGNORED'],
        ref: 'RFC7591-2',
        sentence: "The authorization server MUST ignore any client metadata sent by the client that it does not understand (for instance, by silently removing unknown metadata from the client's registration record during processing).",
        what: 'strips unknown members silently and answers 201.',
      },
      {
        checks: ['RFC7591-GRANT-RESPONSE-INCONSISTENT'],
        ref: 'RFC7591-2.1',
        sentence: 'As such, a server supporting these fields SHOULD take steps to ensure that a client cannot register itself into an inconsistent state, for example, by returning an "invalid_client_metadata" error response to an inconsistent registration request.',
        what: 'refuses response_types ["token"] with invalid_client_metadata (it supports no plain "token" response type); for the response types it supports it substitutes a consistent grant_types (adds or removes implicit), which RFC 7591 2 allows.',
      },
      {
        checks: ['RFC7592-UPDATE-200', 'RFC7592-UPDATE-READBACK'],
        ref: 'RFC7592-3',
        sentence: 'registration_access_token REQUIRED. String containing the access token to be used at the client configuration endpoint to perform subsequent operations upon the client registration.',
        what: 'rotates the registration access token on every PUT (configured so) and not on GET; the pack always sends the newest token the server returned.',
      },
      {
        checks: ['RFC7591-IAT-ABSENT', 'RFC7592-RAT-ABSENT'],
        ref: 'RFC6750-3.1',
        sentence: 'If the request lacks any authentication information (e.g., the client was unaware that authentication is necessary or attempted using an unsupported authentication method), the resource server SHOULD NOT include an error code or other error information.',
        what: 'answers 401 with `WWW-Authenticate: Bearer realm="..."` (no error attribute, as the sentence asks of the challenge) and a JSON body `{"error": "invalid_token", "error_description": "no access token provided"}`; RFC 6750 defines the challenge, not the body, so the pack judges the challenge only (not a departure).',
      },
    ],
  },
];

/** The foreign servers section of docs/compatibility.md. */
export function foreignMarkdown(servers: readonly ForeignServer[] = FOREIGN): string[] {
  const lines = ['', '## Servers we did not write', '', 'Run by `npm test` against the pack (not mock profiles): their outcomes are asserted in their tests.', ''];
  for (const s of servers) {
    lines.push(`### ${s.name}`, '', `- Setup: ${s.setup}.`, `- Test: \`${s.test}\`.`, `- Outcome: ${s.summary}`, '');
    const note = (n: ForeignNote) => `- ${n.checks.map((c) => `\`${c}\``).join(', ')}: ${n.what} ${n.ref}: "${n.sentence}"`;
    lines.push('Departures (each check fails or warns):', '', ...(s.departures.length ? s.departures.map(note) : ['- none found.']), '');
    if (s.choices.length) lines.push('Where the RFCs leave a choice:', '', ...s.choices.map(note), '');
  }
  return lines;
}
