// upstream-vhost, default-backend and custom-http-errors end to end through the real CLI, mirroring
// kubernetes/ingress-nginx test/e2e/annotations/{upstreamvhost,default_backend,customhttperrors}.go.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoOf, send } from '../support/http-client.ts';
import { endpointSlices, ingress, service } from '../support/manifests.ts';
import { annotated, startFixture, startStatusPod, type Fixture } from './annotations-fixture.ts';

let fx: Fixture;
let statusPod: Awaited<ReturnType<typeof startStatusPod>>;

beforeAll(async () => {
  statusPod = await startStatusPod('127.0.0.9');
  fx = await startFixture(
    ['web', 'errors'],
    [
      service('status'),
      ...endpointSlices('status', [{ address: '127.0.0.9', port: statusPod.port }]),
      annotated(ingress('vhost', [{ host: 'upstreamvhost.bar.com', paths: [{ path: '/', service: 'web' }] }]),
        { 'upstream-vhost': 'upstreamvhost.internal:8080' }),
      annotated(ingress('vhost-injection', [{ host: 'vhost-injection.bar.com', paths: [{ path: '/', service: 'web' }] }]),
        { 'upstream-vhost': 'a.internal\r\nX-Injected: yes' }),
      annotated(ingress('fallback', [{ host: 'default-backend.bar.com', paths: [{ path: '/', service: 'empty' }] }]),
        { 'default-backend': 'errors' }),
      annotated(ingress('errors', [{ host: 'customerrors.bar.com', paths: [{ path: '/', service: 'status' }] }]),
        { 'custom-http-errors': '404,503', 'default-backend': 'errors' }),
      annotated(ingress('errors-no-backend', [{ host: 'noerrorbackend.bar.com', paths: [{ path: '/', service: 'status' }] }]),
        { 'custom-http-errors': '503' }),
    ],
    [],
    ['empty'],
  );
});

afterAll(async () => {
  await fx?.close();
  await statusPod?.close();
});

describe('upstream-vhost (upstreamvhost.go)', () => {
  it('sets the Host header sent upstream, keeping the client host in X-Forwarded-Host', async () => {
    const reply = echoOf(await send(fx.http, '/x', { host: 'upstreamvhost.bar.com' }));
    expect(reply.headers['host']).toBe('upstreamvhost.internal:8080');
    expect(reply.headers['x-forwarded-host']).toBe('upstreamvhost.bar.com');
  });

  it('never serves a value with CR/LF (the Ingress is rejected)', async () => {
    const reply = await send(fx.http, '/', { host: 'vhost-injection.bar.com' });
    expect(reply.status).toBe(404);
  });
});

describe('default-backend (default_backend.go)', () => {
  it('serves the request when the Service has no endpoints, telling the backend why', async () => {
    const reply = echoOf(await send(fx.http, '/page?a=1', { host: 'default-backend.bar.com', headers: { accept: 'text/html' } }));
    expect(reply.service).toBe('errors');
    expect(reply.url).toBe('/page?a=1');
    expect(reply.headers).toMatchObject({
      'x-code': '503', 'x-format': 'text/html', 'x-namespace': 'default', 'x-ingress-name': 'fallback',
      'x-service-name': 'empty', 'x-service-port': '80',
    });
  });
});

describe('custom-http-errors (customhttperrors.go)', () => {
  it('replaces a listed upstream status with the default backend answer for /', async () => {
    const reply = echoOf(await send(fx.http, '/status/404?q=1', { host: 'customerrors.bar.com', headers: { 'x-code': 'forged' } }));
    expect(reply.service).toBe('errors');
    expect(reply.url).toBe('/');
    expect(reply.headers).toMatchObject({
      'x-code': '404', 'x-original-uri': '/status/404?q=1', 'x-ingress-name': 'errors', 'x-service-name': 'status',
    });
  });

  it('passes statuses that are not listed', async () => {
    const reply = await send(fx.http, '/status/500', { host: 'customerrors.bar.com' });
    expect(reply.status).toBe(500);
    expect(reply.body).toBe('status pod says 500\n');
  });

  it("answers with Sluice's default backend (404) when no default-backend is set", async () => {
    const reply = await send(fx.http, '/status/503', { host: 'noerrorbackend.bar.com' });
    expect(reply.status).toBe(404);
    expect(reply.headers['x-pod']).toBeUndefined();
    expect((await send(fx.http, '/status/200', { host: 'noerrorbackend.bar.com' })).status).toBe(200);
  });
});
