import express from 'express';
import request from 'supertest';
import { oneWriteJson } from '../../../mock-server/http/respond';

function app() {
  const a = express();
  oneWriteJson(a);
  a.get('/big', (_req, res) => res.status(201).json({ data: 'x'.repeat(5000) }));
  a.get('/typed', (_req, res) => res.type('application/vnd.thing+json').json({ ok: true }));
  a.get('/empty', (_req, res) => res.status(204).json({ ignored: true }));
  return a;
}

describe('oneWriteJson (the app res.json)', () => {
  test('a large body: status, JSON content type, exact Content-Length, the same JSON', async () => {
    const res = await request(app()).get('/big');
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.text));
    expect(res.body).toEqual({ data: 'x'.repeat(5000) });
  });

  test('a Content-Type already set is kept', async () => {
    const res = await request(app()).get('/typed');
    expect(res.headers['content-type']).toMatch(/^application\/vnd\.thing\+json/);
    expect(JSON.parse(res.text)).toEqual({ ok: true });
  });

  test('204 carries no body', async () => {
    const res = await request(app()).get('/empty');
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
  });

  test('other apps keep Express res.json', () => {
    const other = express();
    oneWriteJson(app());
    expect(other.response.json).toBe(express.response.json);
  });
});
