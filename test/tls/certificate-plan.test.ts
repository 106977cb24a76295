// The pure half of tls/: Secret parsing and the per-host plan, on real generated certificates.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Ingress, Secret, Snapshot } from '../../src/model/index.ts';
import { compareIngresses } from '../../src/router/index.ts';
import { TlsIngresses, planCertificates, readTlsSecret } from '../../src/tls/index.ts';
import { random } from '../support/random.ts';
import { makeCertificate, type TestCertificate } from './certificates.ts';

const meta = (name: string, creationTimestamp = '') => ({ namespace: 'default', name, uid: '', resourceVersion: '', creationTimestamp, annotations: {}, labels: {} });
const b64 = (text: string) => Buffer.from(text).toString('base64');

function secret(name: string, pair: { cert: string; key: string }, type = 'kubernetes.io/tls'): Secret {
  return { kind: 'Secret', metadata: meta(name), type, data: { 'tls.crt': b64(pair.cert), 'tls.key': b64(pair.key) } };
}

function ingress(name: string, tls: Array<{ hosts: string[]; secretName: string }>, created = ''): Ingress {
  return { kind: 'Ingress', metadata: meta(name, created), spec: { rules: [], tls } };
}

function plan(ingresses: Ingress[], secrets: Secret[], now = new Date()) {
  const snapshot: Snapshot = { ingresses, secrets, services: [], ingressClasses: [], configMap: null };
  return planCertificates(snapshot, { isServed: () => true, order: compareIngresses, now });
}

let a: TestCertificate;
let b: TestCertificate;
let wild: TestCertificate;
let expired: TestCertificate;

beforeAll(async () => {
  [a, b, wild, expired] = await Promise.all([
    makeCertificate(['a.test']),
    makeCertificate(['b.test']),
    makeCertificate(['*.wild.test']),
    makeCertificate(['old.test'], { notBefore: new Date('2020-01-01'), notAfter: new Date('2021-01-01') }),
  ]);
});

describe('readTlsSecret', () => {
  it('reads names and fingerprint, keeps the chain as stored', () => {
    const result = readTlsSecret(secret('a', a), new Date());
    expect(result).toMatchObject({ names: ['a.test'], fingerprint: a.fingerprint, cert: a.cert.trim() });
  });

  it.each([
    ['wrong type', () => secret('x', a, 'Opaque'), 'SecretInvalid', "has type 'Opaque'"],
    ['garbage certificate', () => secret('x', { cert: 'not a pem', key: a.key }), 'SecretInvalid', 'tls.crt'],
    ['garbage key', () => secret('x', { cert: a.cert, key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----' }), 'SecretInvalid', 'tls.key'],
    ['key of another certificate', () => secret('x', { cert: a.cert, key: b.key }), 'CertificateKeyMismatch', 'does not match'],
    ['expired', () => secret('x', expired), 'CertificateExpired', 'valid only'],
  ])('%s → %s, without echoing Secret bytes', (_name, make, reason, detail) => {
    const s = make();
    const result = readTlsSecret(s, new Date());
    expect(result).toMatchObject({ reason });
    expect((result as { detail: string }).detail).toContain(detail);
    expect(JSON.stringify(result)).not.toContain(s.data['tls.key']!.slice(20, 60));
  });
});

describe('planCertificates', () => {
  it('assigns each TLS host its Secret, wildcards as index keys', () => {
    const result = plan([ingress('i', [{ hosts: ['a.test'], secretName: 'a' }, { hosts: ['*.wild.test'], secretName: 'wild' }])], [secret('a', a), secret('wild', wild)]);
    expect(result.diagnostics).toEqual([]);
    expect(result.hosts.get('a.test')?.fingerprint).toBe(a.fingerprint);
    expect(result.hosts.get('*.wild.test')?.fingerprint).toBe(wild.fingerprint);
  });

  it('a wildcard certificate covers one label only, and the oldest Ingress wins a host', () => {
    const result = plan(
      [ingress('new', [{ hosts: ['x.wild.test'], secretName: 'a' }], '2024-02-01T00:00:00Z'), ingress('old', [{ hosts: ['x.wild.test', 'y.x.wild.test'], secretName: 'wild' }], '2024-01-01T00:00:00Z')],
      [secret('a', a), secret('wild', wild)],
    );
    expect(result.hosts.get('x.wild.test')?.fingerprint).toBe(wild.fingerprint);
    expect(result.hosts.has('y.x.wild.test')).toBe(false);
    expect(result.diagnostics.map((d) => [d.reason, d.object?.name, d.message.includes('y.x.wild.test')])).toEqual([['CertificateHostMismatch', 'old', true]]);
  });

  it('missing Secret and empty secretName: no certificate for the host; only the missing Secret is reported', () => {
    const result = plan([ingress('i', [{ hosts: ['a.test'], secretName: 'gone' }, { hosts: ['b.test'], secretName: '' }])], []);
    expect(result.hosts.size).toBe(0);
    expect(result.diagnostics).toEqual([
      { severity: 'Warning', reason: 'SecretNotFound', object: { kind: 'Ingress', namespace: 'default', name: 'i' }, field: 'spec.tls[0].secretName', message: 'Secret default/gone does not exist; its hosts use the default certificate' },
    ]);
  });

  it('an expired certificate is judged against the clock given', () => {
    const s = secret('old', expired);
    const ing = ingress('i', [{ hosts: ['old.test'], secretName: 'old' }]);
    expect(plan([ing], [s], new Date('2020-06-01')).hosts.has('old.test')).toBe(true);
    expect(plan([ing], [s], new Date()).diagnostics[0]?.reason).toBe('CertificateExpired');
  });
});

describe('TlsIngresses', () => {
  it('is the Ingresses with spec.tls, in list order, over random edits of a list kept like the sources keep it', () => {
    const next = random(5);
    const tlsIngresses = new TlsIngresses();
    let list: Ingress[] = Array.from({ length: 200 }, (_, i) => ingress(`i${i}`, i % 7 === 0 ? [{ hosts: ['a.test'], secretName: 'a' }] : []));
    for (let step = 0; step < 300; step++) {
      expect(tlsIngresses.of(list), `step ${step}`).toEqual(list.filter((one) => one.spec.tls.length > 0));
      // A new list each time, sharing every object it does not change; sometimes a stretch, sometimes the ends.
      list = [...list];
      for (let edits = 1 + Math.floor(next() * 3); edits > 0; edits--) {
        const at = next() < 0.2 ? (next() < 0.5 ? 0 : list.length) : Math.floor(next() * list.length);
        const made = ingress(`n${step}-${edits}`, next() < 0.5 ? [{ hosts: ['b.test'], secretName: 'b' }] : []);
        const roll = next();
        if (roll < 0.3 && list.length > 0) list.splice(Math.min(at, list.length - 1), 1);
        else if (roll < 0.6) list.splice(at, 0, made);
        else if (list.length > 0) list[Math.min(at, list.length - 1)] = made;
      }
    }
  });
});
