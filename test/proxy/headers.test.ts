import { describe, expect, it } from 'vitest';
import { buildRequestHeaders, hostHeaderOf, newRequestFacts, type RequestFacts } from '../../src/proxy/headers/request-headers.ts';
import { buildResponseHeaders } from '../../src/proxy/headers/response-headers.ts';
import { generateRequestId } from '../../src/proxy/headers/request-id.ts';
import { headerMap } from './helpers/pods.ts';

const ctx = { host: 'App.test:8080', clientAddress: '192.0.2.7', localPort: '8080', scheme: 'http' as const };

function build(raw: string[], upgrade?: string): { headers: Map<string, string[]>; facts: RequestFacts } {
  const facts = newRequestFacts();
  const out = buildRequestHeaders(raw, upgrade === undefined ? ctx : { ...ctx, upgrade }, facts);
  return { headers: headerMap(out), facts };
}

describe('buildRequestHeaders', () => {
  it('sets the ingress-nginx forwarding headers', () => {
    const { headers } = build(['Host', 'App.test:8080', 'Accept', '*/*']);
    expect(Object.fromEntries([...headers].map(([k, v]) => [k, v.join('|')]))).toMatchObject({
      host: 'App.test:8080',
      accept: '*/*',
      'x-real-ip': '192.0.2.7',
      'x-forwarded-for': '192.0.2.7',
      'x-forwarded-host': 'App.test:8080',
      'x-forwarded-port': '8080',
      'x-forwarded-proto': 'http',
      'x-forwarded-scheme': 'http',
      'x-scheme': 'http',
    });
    expect(headers.get('x-request-id')?.[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(headers.has('x-original-forwarded-for')).toBe(false);
  });

  it.each<[string, string[], Record<string, string[] | undefined>]>([
    [
      'incoming X-Forwarded-For is replaced and kept as X-Original-Forwarded-For (joined)',
      ['X-Forwarded-For', '1.1.1.1', 'x-forwarded-for', '2.2.2.2'],
      { 'x-forwarded-for': ['192.0.2.7'], 'x-original-forwarded-for': ['1.1.1.1, 2.2.2.2'] },
    ],
    [
      'incoming X-Forwarded-Host kept as X-Original-Forwarded-Host',
      ['X-Forwarded-Host', 'evil.test'],
      { 'x-forwarded-host': ['App.test:8080'], 'x-original-forwarded-host': ['evil.test'] },
    ],
    ['client-sent X-Real-IP is replaced', ['X-Real-IP', '6.6.6.6'], { 'x-real-ip': ['192.0.2.7'] }],
    ['client-sent X-Forwarded-Proto is replaced', ['X-Forwarded-Proto', 'https'], { 'x-forwarded-proto': ['http'] }],
    ['client-sent X-Original-Forwarded-For is dropped', ['X-Original-Forwarded-For', '6.6.6.6'], { 'x-original-forwarded-for': undefined }],
    ['incoming X-Request-ID passes through', ['X-Request-ID', 'abc-123'], { 'x-request-id': ['abc-123'] }],
    ['underscore header dropped', ['X_Forwarded_For', '6.6.6.6', 'My_Header', 'x'], { x_forwarded_for: undefined, my_header: undefined }],
    ['Proxy dropped (httpoxy)', ['Proxy', 'http://evil:3128'], { proxy: undefined }],
    [
      'hop-by-hop dropped',
      [
        ...['Connection', 'keep-alive, X-Secret', 'Keep-Alive', 'timeout=5', 'TE', 'trailers', 'Trailer', 'X-T'],
        ...['Upgrade', 'h2c', 'Proxy-Connection', 'keep-alive', 'X-Secret', 's', 'Transfer-Encoding', 'chunked'],
      ],
      {
        connection: undefined,
        'keep-alive': undefined,
        te: undefined,
        trailer: undefined,
        upgrade: undefined,
        'proxy-connection': undefined,
        'x-secret': undefined,
        'transfer-encoding': undefined,
      },
    ],
    ['Expect dropped (answered by node:http)', ['Expect', '100-continue'], { expect: undefined }],
    ['duplicates of ordinary headers kept in order', ['X-A', '1', 'x-a', '2'], { 'x-a': ['1', '2'] }],
  ])('%s', (_name, raw, expected) => {
    const { headers } = build(['Host', 'App.test:8080', ...raw]);
    for (const [name, value] of Object.entries(expected)) expect(headers.get(name)).toEqual(value);
  });

  it.each<[string[], boolean]>([
    [[], false],
    [['Content-Length', '0'], false],
    [['Content-Length', '12'], true],
    [['Transfer-Encoding', 'chunked'], true],
  ])('detects a body in %j → %s', (raw, hasBody) => {
    expect(build(raw).facts.hasBody).toBe(hasBody);
  });

  it('sends Connection/Upgrade only for upgrade requests', () => {
    const { headers } = build(['Upgrade', 'websocket', 'Connection', 'Upgrade', 'Sec-WebSocket-Key', 'k'], 'websocket');
    expect(headers.get('connection')).toEqual(['upgrade']);
    expect(headers.get('upgrade')).toEqual(['websocket']);
    expect(headers.get('sec-websocket-key')).toEqual(['k']);
  });

  it.each([
    ['100-continue', true],
    ['100-Continue', true],
    ['something-else', false],
  ])('Expect: %s is never sent upstream; 100-continue is noted for the handler to answer (%s)', (value, expects) => {
    const { headers, facts } = build(['Host', 'a.test', 'Expect', value, 'Content-Length', '5']);
    expect(headers.has('expect')).toBe(false);
    expect(facts.expectsContinue).toBe(expects);
  });

  it('omits Host and X-Forwarded-Host when the client sent no Host', () => {
    const facts = newRequestFacts();
    const headers = headerMap(buildRequestHeaders([], { ...ctx, host: '' }, facts));
    expect(headers.has('host')).toBe(false);
    expect(headers.has('x-forwarded-host')).toBe(false);
  });
});

describe('hostHeaderOf', () => {
  it.each<[string[], string | undefined | null]>([
    [['Host', 'a.test'], 'a.test'],
    [['HOST', 'a.test:81'], 'a.test:81'],
    [[], undefined],
    [['Host', 'a.test', 'host', 'b.test'], null],
  ])('%j → %s', (raw, expected) => {
    expect(hostHeaderOf(raw)).toBe(expected);
  });
});

describe('buildResponseHeaders', () => {
  it('drops hop-by-hop, Date and Server, keeps the rest in order, adds Server: sluice', () => {
    const raw = ['Content-Type', 'text/plain', 'Connection', 'keep-alive, X-Hop', 'X-Hop', '1', 'Keep-Alive', 'timeout=5',
      'Transfer-Encoding', 'chunked', 'Server', 'nginx/1.2', 'Date', 'yesterday', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2'];
    expect(buildResponseHeaders(raw)).toEqual([
      'Content-Type', 'text/plain', 'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Server', 'sluice',
    ]);
  });
});

describe('generateRequestId', () => {
  it('gives distinct 32-hex ids across buffer refills', () => {
    const ids = new Set(Array.from({ length: 1000 }, generateRequestId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
  });
});
