// The access-log line (src/proxy/access-log/access-log.ts, json-text.ts): JSON text built from parts must be exactly
// what JSON.stringify writes for the same members in the same order — for text that needs escaping (quotes,
// backslashes, control characters, lone surrogates), text that does not (non-ASCII, emoji), a request without a
// route, a route that does not forward, and the nulls of a request no upstream answered. The request is a real
// IncomingMessage on a real socket object; the line goes to a sink that keeps it.
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Route } from '../../src/model/index.ts';
import { AccessLog } from '../../src/proxy/access-log/access-log.ts';
import { jsonString } from '../../src/proxy/access-log/json-text.ts';
import { RequestRecord } from '../../src/proxy/metrics/request-observer.ts';
import { backend, servicePort } from './helpers/objects.ts';

function capture(): { log: AccessLog; lines: string[] } {
  const lines: string[] = [];
  const log = new AccessLog({ write: (line: string) => void lines.push(line), close: async () => {} }, null);
  return { log, lines };
}

function request(url: string, rawHeaders: string[], method = 'GET'): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.method = method;
  req.url = url;
  req.httpVersion = '1.1';
  req.rawHeaders = rawHeaders;
  return req;
}

const forwardRoute: Route = {
  id: 'r1', host: 'shop.test', path: '/api', pathType: 'Prefix', ingress: { namespace: 'prod', name: 'shop' },
  action: { kind: 'forward', backend: backend('web', servicePort(), 'prod') },
} as Route;

/** The members of the line in their order, as JSON.stringify of one object wrote them before. */
function expectedLine(fields: Record<string, unknown>): string {
  return `${JSON.stringify(fields)}\n`;
}

describe('access-log line', () => {
  const hard = ['say "hi"', 'back\\slash', 'tab\there', 'nul\u0000bell\u0007', 'lone \ud800 high', 'lone \udc00 low', 'pair 😀 ü €', '\u001f\u007f\u2028'];

  it('jsonString writes what JSON.stringify writes, escaping only where it must', () => {
    for (const text of [...hard, '', 'plain/path?x=1&y=2', 'GET']) expect(jsonString(text)).toBe(JSON.stringify(text));
  });

  it('a forwarded request: every member, in ingress-nginx order, escaped as JSON.stringify escapes', () => {
    const { log, lines } = capture();
    for (const [i, text] of hard.entries()) {
      const req = request(`/api/${text}`, ['Host', 'shop.test', 'User-Agent', text, 'Referer', `http://ref/${text}`, 'X-Request-Id', `client-${text}`]);
      const record = new RequestRecord(0, 0);
      record.route = forwardRoute;
      record.clientAddress = '10.0.0.7';
      record.upstreamAddress = '127.0.0.2:8080, 127.0.0.3:8080';
      record.upstreamStatus = 201;
      record.upstreamSeconds = 0.0123456;
      record.requestSeconds = 0.0204999;
      record.responseBytes = 180 + i;
      record.requestBytes = 77;
      log.write(req, record, 201);
      const line = lines.at(-1)!;
      const time = (JSON.parse(line) as { time: string }).time;
      expect(time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(line).toBe(expectedLine({
        time, remote_addr: '10.0.0.7', method: 'GET', path: `/api/${text}`, protocol: 'HTTP/1.1', status: 201,
        bytes_sent: 180 + i, http_referer: `http://ref/${text}`, http_user_agent: text, request_length: 77,
        request_time: 0.02, proxy_upstream_name: 'prod-web-80', upstream_addr: '127.0.0.2:8080, 127.0.0.3:8080',
        upstream_status: 201, upstream_response_time: 0.012, req_id: `client-${text}`,
        namespace: 'prod', ingress: 'shop', service: 'web', path_rule: '/api', host: 'shop.test',
      }));
    }
  });

  it('no route and no upstream: empty names, nulls for the upstream status and time, the request id Sluice made', () => {
    const { log, lines } = capture();
    const req = request('/x', ['Host', 'bad host'], 'POST');
    const record = new RequestRecord(0, 0);
    record.clientAddress = '10.0.0.8';
    record.requestId = 'made-by-sluice';
    record.requestSeconds = 0.0005;
    log.write(req, record, 400);
    const time = (JSON.parse(lines[0]!) as { time: string }).time;
    expect(lines[0]).toBe(expectedLine({
      time, remote_addr: '10.0.0.8', method: 'POST', path: '/x', protocol: 'HTTP/1.1', status: 400, bytes_sent: 0,
      http_referer: '', http_user_agent: '', request_length: 0, request_time: 0.001, proxy_upstream_name: '',
      upstream_addr: '', upstream_status: null, upstream_response_time: null, req_id: 'made-by-sluice',
      namespace: '', ingress: '', service: '', path_rule: '', host: '',
    }));
  });

  it('a route that does not forward (a redirect) has no upstream name; its names come from its Ingress', () => {
    const { log, lines } = capture();
    const redirect = { id: 'r2', host: 'old.test', path: '', pathType: 'Prefix', ingress: { namespace: 'web "ns"', name: 'old' }, action: { kind: 'redirect', status: 308, location: 'https://new.test' } } as unknown as Route;
    const record = new RequestRecord(0, 0);
    record.route = redirect;
    record.clientAddress = '10.0.0.9';
    log.write(request('/', ['Host', 'old.test']), record, 308);
    log.write(request('/', ['Host', 'old.test']), record, 308);
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const entry of parsed) {
      expect(entry).toMatchObject({ proxy_upstream_name: '', namespace: 'web "ns"', ingress: 'old', service: '', path_rule: '/', host: 'old.test' });
    }
  });
});
