import { defaults } from './config';

/**
 * The base URL of a running mock bank, for the command-line tools that talk to it (mint-ssa,
 * sign-request): MOCK_URL, else PUBLIC_URL (what the mock itself announces), else
 * https://localhost:<PORT> with the mock's default port. The one place that default lives.
 */
export function mockUrl(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.MOCK_URL || env.PUBLIC_URL || `https://localhost:${env.PORT || defaults.port}`;
  return url.replace(/\/$/, '');
}
