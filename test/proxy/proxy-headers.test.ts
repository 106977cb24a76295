// What the pod receives and what the client gets back, through a real gateway (ingress-semantics.md §2.4).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send, startGateway, type Gateway } from './helpers/gateway.ts';
import { backend, slice } from './helpers/objects.ts';
import { headerMap, startPod, type Pod } from './helpers/pods.ts';
import { forward, testTable } from './helpers/route-table.ts';

let pod: Pod;
let gw: Gateway;

beforeAll(async () => {
  pod = await startPod('127.0.0.2', (req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('Connection', 'keep-alive, X-Resp-Hop');
      res.setHeader('X-Resp-Hop', 'secret');
      res.setHeader('Keep-Alive', 'timeout=5');
      res.setHeader('Server', 'pod-server/1.0');
      res.setHeader('Date', 'Thu, 01 Jan 1970 00:00:00 GMT');
      res.setHeader('Set-Cookie', ['a=1', 'b=2']);
      res.setHeader('X-App', 'yes');
      res.end('ok');
    });
  });
  gw = await startGateway({
    table: testTable([{ host: 'app.test', path: '/', action: forward(backend('web')) }]),
    slices: [slice({ service: 'web', port: pod.port, endpoints: [pod.ip] })],
  });
});

afterAll(async () => {
  await gw.close();
  await pod.kill();
});

async function seenFor(headers: string[], host = 'App.Test:8080'): Promise<ReadonlyMap<string, string[]>> {
  const before = pod.seen.length;
  const reply = await send(gw.port, '/h', { host, headers });
  expect(reply.status).toBe(200);
  expect(pod.seen).toHaveLength(before + 1);
  return pod.seen[before]!.headers;
}

describe('request headers at the pod', () => {
  it('Host is passed through as sent (case and port kept), X-Forwarded-Host equals it', async () => {
    const seen = await seenFor([]);
    expect(seen.get('host')).toEqual(['App.Test:8080']);
    expect(seen.get('x-forwarded-host')).toEqual(['App.Test:8080']);
  });

  it('X-Forwarded-For replaced by the client address; the incoming one kept as X-Original-Forwarded-For', async () => {
    const seen = await seenFor(['X-Forwarded-For', '203.0.113.9, 10.0.0.1']);
    expect(seen.get('x-forwarded-for')).toEqual(['127.0.0.1']);
    expect(seen.get('x-original-forwarded-for')).toEqual(['203.0.113.9, 10.0.0.1']);
    expect(seen.get('x-real-ip')).toEqual(['127.0.0.1']);
  });

  it('X-Forwarded-Port / -Proto / -Scheme / X-Scheme describe the listener', async () => {
    const seen = await seenFor(['X-Forwarded-Proto', 'https', 'X-Forwarded-Port', '443']);
    expect(seen.get('x-forwarded-port')).toEqual([String(gw.port)]);
    expect(seen.get('x-forwarded-proto')).toEqual(['http']);
    expect(seen.get('x-forwarded-scheme')).toEqual(['http']);
    expect(seen.get('x-scheme')).toEqual(['http']);
  });

  it('X-Request-ID: generated (32 hex, unique) when absent, passed through when present', async () => {
    const first = (await seenFor([])).get('x-request-id')?.[0];
    const second = (await seenFor([])).get('x-request-id')?.[0];
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    expect(second).toMatch(/^[0-9a-f]{32}$/);
    expect(first).not.toBe(second);
    expect((await seenFor(['X-Request-ID', 'trace-42'])).get('x-request-id')).toEqual(['trace-42']);
  });

  it('drops underscore headers, Proxy, and hop-by-hop headers including those Connection lists', async () => {
    const seen = await seenFor([
      'X_Forwarded_For', '6.6.6.6',
      'Proxy', 'http://evil.test:3128',
      'Connection', 'keep-alive, X-Hop',
      'X-Hop', 'h',
      'Keep-Alive', 'timeout=9',
      'TE', 'trailers',
      'Proxy-Connection', 'keep-alive',
      'X-Kept', 'k',
    ]);
    for (const name of ['x_forwarded_for', 'proxy', 'x-hop', 'keep-alive', 'te', 'proxy-connection']) {
      expect(seen.has(name), name).toBe(false);
    }
    // node:http's upstream connection header is undici's own keep-alive, never the client's tokens.
    expect(seen.get('connection')?.join(',') ?? '').not.toContain('X-Hop');
    expect(seen.get('x-kept')).toEqual(['k']);
  });
});

describe('response headers at the client', () => {
  it('Server: sluice and a fresh Date replace the pod\'s; hop-by-hop gone; the rest kept', async () => {
    const reply = await send(gw.port, '/h');
    const headers = headerMap(reply.rawHeaders);
    expect(headers.get('server')).toEqual(['sluice']);
    expect(headers.get('date')).toHaveLength(1);
    expect(headers.get('date')![0]).not.toBe('Thu, 01 Jan 1970 00:00:00 GMT');
    expect(Math.abs(Date.parse(headers.get('date')![0]!) - Date.now())).toBeLessThan(5_000);
    expect(headers.has('x-resp-hop')).toBe(false);
    expect(headers.has('keep-alive')).toBe(false);
    expect(headers.get('set-cookie')).toEqual(['a=1', 'b=2']);
    expect(headers.get('x-app')).toEqual(['yes']);
    expect(reply.body).toBe('ok');
  });
});
