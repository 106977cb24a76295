import { describe, expect, it } from 'vitest';
import type { EndpointSlice, ServicePort } from '../../src/model/index.ts';
import { selectEndpoints } from '../../src/proxy/index.ts';
import { servicePort, slice } from './helpers/objects.ts';

const keys = (slices: EndpointSlice[], port: ServicePort = servicePort()): string[] =>
  selectEndpoints(slices, port).map((e) => e.key);

describe('selectEndpoints', () => {
  it.each<[string, EndpointSlice[], ServicePort, string[]]>([
    ['ready nil counts as ready', [slice({ service: 's', endpoints: ['10.0.0.1'] })], servicePort(), ['10.0.0.1:8080']],
    [
      'ready=false is skipped while others are ready',
      [slice({ service: 's', endpoints: ['10.0.0.1', { ip: '10.0.0.2', ready: false }] })],
      servicePort(),
      ['10.0.0.1:8080'],
    ],
    [
      'union across slices, de-duplicated by ip:port, sorted',
      [slice({ service: 's', endpoints: ['10.0.0.2', '10.0.0.1'] }), slice({ service: 's', endpoints: ['10.0.0.1', '10.0.0.3'] })],
      servicePort(),
      ['10.0.0.1:8080', '10.0.0.2:8080', '10.0.0.3:8080'],
    ],
    [
      'same ip on different target ports (named targetPort resolved per slice) are distinct',
      [slice({ service: 's', port: 8080, endpoints: ['10.0.0.1'] }), slice({ service: 's', port: 9090, endpoints: ['10.0.0.1'] })],
      servicePort({ targetPort: 'web' }),
      ['10.0.0.1:8080', '10.0.0.1:9090'],
    ],
    [
      'slice port chosen by ServicePort name',
      [
        slice({
          service: 's',
          ports: [
            { name: 'metrics', port: 9100, protocol: 'TCP' },
            { name: 'http', port: 8081, protocol: 'TCP' },
          ],
          endpoints: ['10.0.0.1'],
        }),
      ],
      servicePort(),
      ['10.0.0.1:8081'],
    ],
    [
      'unnamed single-port Service matches the unnamed slice port',
      [slice({ service: 's', ports: [{ name: '', port: 3000, protocol: 'TCP' }], endpoints: ['10.0.0.1'] })],
      servicePort({ name: '', targetPort: 3000 }),
      ['10.0.0.1:3000'],
    ],
    [
      'no slice port name matches: numeric targetPort is used (ingress-nginx #7390)',
      [slice({ service: 's', ports: [{ name: 'other', port: 1234, protocol: 'TCP' }], endpoints: ['10.0.0.1'] })],
      servicePort({ targetPort: 8443 }),
      ['10.0.0.1:8443'],
    ],
    [
      'no slice port name matches and targetPort is named: nothing',
      [slice({ service: 's', ports: [{ name: 'other', port: 1234, protocol: 'TCP' }], endpoints: ['10.0.0.1'] })],
      servicePort({ targetPort: 'web' }),
      [],
    ],
    [
      'a slice with no ports uses a numeric targetPort',
      [slice({ service: 's', ports: [], endpoints: ['10.0.0.1'] })],
      servicePort({ targetPort: 7000 }),
      ['10.0.0.1:7000'],
    ],
    [
      'a slice with no ports and a named targetPort is unusable',
      [slice({ service: 's', ports: [], endpoints: ['10.0.0.1'] })],
      servicePort({ targetPort: 'web' }),
      [],
    ],
    [
      'a matching slice port without a number falls back to the numeric targetPort',
      [slice({ service: 's', ports: [{ name: 'http', protocol: 'TCP' }], endpoints: ['10.0.0.1'] })],
      servicePort({ targetPort: 7001 }),
      ['10.0.0.1:7001'],
    ],
    [
      'UDP slice port is not matched (TCP only)',
      [slice({ service: 's', ports: [{ name: 'http', port: 53, protocol: 'UDP' }], endpoints: ['10.0.0.1'] })],
      servicePort({ targetPort: 'dns' }),
      [],
    ],
    ['UDP Service port has no endpoints', [slice({ service: 's', endpoints: ['10.0.0.1'] })], servicePort({ protocol: 'UDP' }), []],
    [
      'only the first address of an endpoint is used',
      [slice({ service: 's', endpoints: [{ ip: '10.0.0.1', more: ['10.0.0.9'] }] })],
      servicePort(),
      ['10.0.0.1:8080'],
    ],
    [
      'IPv6 endpoints are bracketed in key and origin',
      [slice({ service: 's', addressType: 'IPv6', endpoints: ['fd00::1'] })],
      servicePort(),
      ['[fd00::1]:8080'],
    ],
    [
      'dual-stack: IPv4 and IPv6 slices both contribute',
      [slice({ service: 's', endpoints: ['10.0.0.1'] }), slice({ service: 's', addressType: 'IPv6', endpoints: ['fd00::1'] })],
      servicePort(),
      ['10.0.0.1:8080', '[fd00::1]:8080'],
    ],
    ['FQDN slices are ignored', [slice({ service: 's', addressType: 'FQDN', endpoints: ['pod.example.com'] })], servicePort(), []],
    [
      'an address that contradicts addressType is skipped',
      [slice({ service: 's', addressType: 'IPv4', endpoints: ['fd00::1', 'not-an-ip', '10.0.0.1'] })],
      servicePort(),
      ['10.0.0.1:8080'],
    ],
    [
      'none ready: serving && terminating endpoints are used (KEP-1669)',
      [
        slice({
          service: 's',
          endpoints: [
            { ip: '10.0.0.1', ready: false, serving: true, terminating: true },
            { ip: '10.0.0.2', ready: false, serving: false, terminating: true },
            { ip: '10.0.0.3', ready: false },
          ],
        }),
      ],
      servicePort(),
      ['10.0.0.1:8080'],
    ],
    [
      'ready endpoints win over serving-terminating ones',
      [slice({ service: 's', endpoints: ['10.0.0.5', { ip: '10.0.0.1', ready: false, serving: true, terminating: true }] })],
      servicePort(),
      ['10.0.0.5:8080'],
    ],
    [
      'serving nil defers to ready (false here): a terminating endpoint without serving is not used',
      [slice({ service: 's', endpoints: [{ ip: '10.0.0.1', ready: false, terminating: true }] })],
      servicePort(),
      [],
    ],
    [
      'serving but not terminating (not ready): not a fallback',
      [slice({ service: 's', endpoints: [{ ip: '10.0.0.1', ready: false, serving: true }] })],
      servicePort(),
      [],
    ],
    [
      'ready in one slice, not ready in another: counted once as ready',
      [slice({ service: 's', endpoints: [{ ip: '10.0.0.1', ready: false }] }), slice({ service: 's', endpoints: ['10.0.0.1'] })],
      servicePort(),
      ['10.0.0.1:8080'],
    ],
    [
      'invalid port numbers are skipped',
      [slice({ service: 's', ports: [{ name: 'http', port: 70000, protocol: 'TCP' }], endpoints: ['10.0.0.1'] })],
      servicePort({ targetPort: 'web' }),
      [],
    ],
    ['no slices: empty', [], servicePort(), []],
  ])('%s', (_name, slices, port, expected) => {
    expect(keys(slices, port)).toEqual(expected);
  });

  it('builds connectable addresses and authority-form keys (the Host a request without one gets)', () => {
    const [v4] = selectEndpoints([slice({ service: 's', endpoints: ['10.0.0.1'] })], servicePort());
    const [v6] = selectEndpoints([slice({ service: 's', addressType: 'IPv6', endpoints: ['fd00::1'] })], servicePort());
    expect(v4).toMatchObject({ address: '10.0.0.1', port: 8080, key: '10.0.0.1:8080' });
    expect(v6).toMatchObject({ address: 'fd00::1', port: 8080, key: '[fd00::1]:8080' });
    expect(new URL(`http://${v6!.key}`).hostname).toBe('[fd00::1]');
  });

  it('is independent of slice and endpoint order', () => {
    const a = slice({ service: 's', endpoints: ['10.0.0.3', '10.0.0.1'] });
    const b = slice({ service: 's', endpoints: ['10.0.0.2'] });
    expect(keys([a, b])).toEqual(keys([b, a]));
  });
});
