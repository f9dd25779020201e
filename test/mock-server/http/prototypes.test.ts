import https from 'node:https';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { expressHttpClasses } from '../../../mock-server/http/prototypes';
import { generateBundle } from '../../../mock-server/tls/certs';
import { httpsRequest } from '../../../fixtures/https';

describe('expressHttpClasses', () => {
  test('requests and responses are built on the app prototypes, and Express works on them as usual', async () => {
    const bundle = await generateBundle();
    const classes = expressHttpClasses();
    const app = express();
    app.set('etag', false);
    const seen: Record<string, unknown> = {};
    app.post('/things/:id', express.text({ type: () => true }), (req, res) => {
      seen.reqProto = Object.getPrototypeOf(req) === app.request;
      seen.resProto = Object.getPrototypeOf(res) === app.response;
      seen.app = req.app === app;
      seen.path = req.path;
      seen.header = req.get('x-thing');
      res.status(201).type('json').send(JSON.stringify({ id: req.params.id, body: req.body }));
    });
    classes.bind(app);
    const server = https.createServer({ key: bundle.server.key, cert: bundle.server.cert, IncomingMessage: classes.IncomingMessage, ServerResponse: classes.ServerResponse }, app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const res = await httpsRequest(`https://127.0.0.1:${(server.address() as AddressInfo).port}/things/42`, {
        method: 'POST',
        body: 'hello',
        headers: { 'x-thing': 'yes', 'content-type': 'text/plain' },
        ca: bundle.ca.cert,
        insecure: true,
      });
      expect(res.status).toBe(201);
      expect(res.json).toEqual({ id: '42', body: 'hello' });
      expect(seen).toEqual({ reqProto: true, resProto: true, app: true, path: '/things/42', header: 'yes' });
    } finally {
      server.close();
    }
  });

  test('binding leaves Express itself and other apps alone', () => {
    const classes = expressHttpClasses();
    const bound = express();
    const other = express();
    const before = Object.getOwnPropertyNames(express.request).sort();
    classes.bind(bound);
    expect(bound.request).toBe(classes.IncomingMessage.prototype);
    expect(Object.getOwnPropertyNames(express.request).sort()).toEqual(before);
    expect(Object.getPrototypeOf(other.request)).toBe(express.request);
    expect((other.request as unknown as { app: unknown }).app).toBe(other);
    expect((bound.request as unknown as { app: unknown }).app).toBe(bound);
  });
});
