import { jest } from '@jest/globals';
import express from 'express';
import request from 'supertest';
import { requestContext } from '../../../mock-server/http/middleware';
import { oneWriteJson } from '../../../mock-server/http/respond';
import { createLogger } from '../../../mock-server/logger';
import { MemoryStore } from '../../../mock-server/store/memory';
import type { JournalEntry, Store } from '../../../mock-server/store/types';

/**
 * The journal entry of an exchange, made when the journal is read (an in-process store) or as it
 * is written (a store without appendJournalLater, as Redis is): the same entry either way, of what
 * was sent, whatever became of the answered value afterwards.
 */
function appOn(store: Store) {
  const app = express();
  oneWriteJson(app);
  app.use(express.urlencoded({ extended: false }));
  app.use(requestContext({ logger: createLogger('silent'), store, journalExcept: '/__admin' }));
  // Names and values with "token" in them that are no token: such an answer is still made later.
  const answer = { client_id: 'c-1', client_secret: 's3cr3t', redirect_uris: ['https://tpp.example/cb'], token_endpoint_auth_method: 'private_key_jwt', response_types: ['code id_token'], grant_types: ['refresh_token'] };
  app.post('/grant', (_req, res) => void res.status(200).json({ access_token: 'tok-3cr3t', token_type: 'Bearer', expires_in: 300 }));
  app.post('/token', (_req, res) => {
    res.status(201).json(answer);
    // Changed once sent: the journal keeps what the client was answered.
    res.on('finish', () => {
      answer.client_id = 'changed';
      answer.redirect_uris.push('https://changed.example/cb');
    });
  });
  return app;
}

/** The store's entries with the time left out (the two stores' requests are sent at different times). */
const timeless = (entries: JournalEntry[]) => entries.map(({ time, ...rest }) => ({ ...rest, time: typeof time }));

async function exchange(store: Store) {
  await request(appOn(store)).post('/token').set('authorization', 'Basic Yzox').set('x-fapi-interaction-id', 'ix-1').type('form').send({ grant_type: 'client_credentials', scope: 'accounts' }).expect(201);
  // The finish listeners (the journal's, then the route's) have run by the time the client has the answer.
  await new Promise((r) => setImmediate(r));
}

describe('journal entries made when the journal is read', () => {
  test('an in-process store is handed the way to make the entry, and makes it only when read', async () => {
    const store = new MemoryStore({ sweepIntervalMs: 0 });
    const now = jest.spyOn(store, 'appendJournal');
    const later = jest.spyOn(store, 'appendJournalLater');
    await exchange(store);
    expect(later).toHaveBeenCalledTimes(1);
    expect(now).not.toHaveBeenCalled();
    const [entry] = await store.listJournal();
    expect(entry).toMatchObject({ method: 'POST', path: '/token', status: 201, answer: { client_id: 'c-1', client_secret: '[redacted]', redirect_uris: ['https://tpp.example/cb'] } });
    expect(entry!.request).toEqual({ authorization: 'Basic [redacted]', form: { grant_type: 'client_credentials', scope: 'accounts' } });
    expect(entry!.redacted).toEqual(expect.arrayContaining(['request.authorization', 'answer.client_secret']));
    expect(Date.parse(entry!.time)).toBeLessThanOrEqual(Date.now());
  });

  test('a store without appendJournalLater is written the same entry, redacted, as the exchange finishes', async () => {
    const inProcess = new MemoryStore({ sweepIntervalMs: 0 });
    const written: JournalEntry[] = [];
    const elsewhere = Object.assign(new MemoryStore({ sweepIntervalMs: 0 }), { appendJournalLater: undefined, appendJournal: async (e: JournalEntry) => void written.push(structuredClone(e)) });
    await exchange(inProcess);
    await exchange(elsewhere);
    expect(written).toHaveLength(1);
    expect(JSON.stringify(written)).not.toMatch(/s3cr3t|Yzox/);
    expect(timeless(written)).toEqual(timeless(await inProcess.listJournal()));
  });

  test('an exchange that carries a credential (a token in its answer, a secret, assertion or token in its form) is redacted as it is written, even in memory', async () => {
    const store = new MemoryStore({ sweepIntervalMs: 0 });
    const now = jest.spyOn(store, 'appendJournal');
    const later = jest.spyOn(store, 'appendJournalLater');
    const app = appOn(store);
    await request(app).post('/grant').type('form').send({ grant_type: 'client_credentials' }).expect(200);
    await request(app).post('/token').type('form').send({ grant_type: 'refresh_token', refresh_token: 'r3fr3sh' }).expect(201);
    await request(app).post('/token').type('form').send({ grant_type: 'client_credentials', client_secret: 'f0rm-s3cr3t' }).expect(201);
    await request(app).post('/token').type('form').send({ grant_type: 'client_credentials', client_assertion: 'not.a.jws' }).expect(201);
    await new Promise((r) => setImmediate(r));
    expect(now).toHaveBeenCalledTimes(4);
    expect(later).not.toHaveBeenCalled();
    const entries = await store.listJournal();
    expect(entries[0]!.answer).toEqual({ access_token: '[redacted]', token_type: 'Bearer', expires_in: 300 });
    expect(entries.map((e) => (e.request as { form: unknown }).form)).toEqual([
      { grant_type: 'client_credentials' },
      { grant_type: 'refresh_token', refresh_token: '[redacted]' },
      { grant_type: 'client_credentials', client_secret: '[redacted]' },
      { grant_type: 'client_credentials', client_assertion: '[redacted]' },
    ]);
    expect(JSON.stringify(entries)).not.toMatch(/tok-3cr3t|r3fr3sh|f0rm-s3cr3t|not\.a\.jws/);
  });
});
