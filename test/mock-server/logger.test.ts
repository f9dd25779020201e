import { createLogger } from '../../mock-server/logger';

test('logs one JSON object per line, redacting secret-like fields, honouring the level', () => {
  const lines: string[] = [];
  const log = createLogger('info', (l) => lines.push(l)).child({ interaction_id: 'i1' });
  log.debug('hidden');
  log.info('hello', { client_secret: 's3cret', authorization: 'Bearer x', access_token: 't', path: '/register' });
  expect(lines).toHaveLength(1);
  const entry = JSON.parse(lines[0]!);
  expect(entry).toMatchObject({ level: 'info', msg: 'hello', interaction_id: 'i1', path: '/register', client_secret: '[redacted]', authorization: '[redacted]', access_token: '[redacted]' });
  expect(lines[0]).not.toContain('s3cret');
});
