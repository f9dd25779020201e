import type { Response } from 'express';

/**
 * Answers JSON in one write. Express's res.json hands res.end a Buffer once the body reaches
 * 1,000 characters, and Node then writes the headers and the body apart: two TLS records per
 * response. A registration answer is ~4 KB, so on the hot path that second record cost about a
 * sixth of the mock's throughput (npm run bench). A string body is sent with its headers at once;
 * Node sets Content-Length, and HEAD answers carry no body.
 */
export function sendJson(res: Response, status: number, body: unknown): void {
  res.status(status);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify(body));
}
