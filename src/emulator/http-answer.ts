/** What a handler answers, and how it goes on the wire: JSON (AWS JSON 1.1) or XML (the query protocol), or a dropped connection. */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { JSON_CONTENT_TYPE } from './constants.js';
import type { ServiceError } from './service-error.js';

export interface Answer {
  readonly status: number;
  readonly body: unknown;
  /** A query-protocol (STS, IAM) answer: XML instead of JSON. */
  readonly xml?: string;
  readonly errorType?: string;
  readonly outcome: string;
  readonly drop?: 'dropped-before' | 'dropped-after';
}

/** A connection closed with no answer, before or after the operation ran. */
export function dropped(when: 'dropped-before' | 'dropped-after'): Answer {
  return { status: 0, body: null, outcome: when, drop: when };
}

export function errorAnswer(error: ServiceError, outcome: string): Answer {
  return { status: error.status, body: { __type: error.type, message: error.message }, errorType: error.type, outcome };
}

export function send(res: ServerResponse, answer: Answer): void {
  if (res.destroyed || res.writableEnded) return;
  if (answer.xml !== undefined) {
    const xmlPayload = Buffer.from(answer.xml, 'utf8');
    res.writeHead(answer.status, { 'Content-Type': 'text/xml', 'Content-Length': xmlPayload.length, 'x-amzn-RequestId': randomUUID() });
    res.end(xmlPayload);
    return;
  }
  const payload = Buffer.from(JSON.stringify(answer.body), 'utf8');
  res.writeHead(answer.status, {
    'Content-Type': JSON_CONTENT_TYPE,
    'Content-Length': payload.length,
    'x-amzn-RequestId': randomUUID(),
    ...(answer.errorType ? { 'x-amzn-ErrorType': answer.errorType } : {}),
  });
  res.end(payload);
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Empty body counts as `{}` (as AWS treats it); undefined means not JSON. */
export function parseJson(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
