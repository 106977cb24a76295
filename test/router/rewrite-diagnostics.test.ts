// rewrite-target's "uses $n but the path has fewer capture groups" warning: reported for the paths the user
// wrote, not for the host's default location, which carries the creating Ingress's annotations (as in
// ingress-nginx) but is no path of theirs.
import { describe, expect, it } from 'vitest';
import { defaultCompileOptions } from '../../src/model/index.ts';
import { compile } from '../../src/router/index.ts';
import { loadCase } from './load-objects.ts';

function captureWarnings(path: string): string[] {
  const { snapshot } = loadCase(`
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: api
  namespace: default
  annotations:
    nginx.ingress.kubernetes.io/use-regex: "true"
    nginx.ingress.kubernetes.io/rewrite-target: /$2
spec:
  ingressClassName: sluice
  rules:
  - host: api.test
    http:
      paths:
      - {path: '${path}', pathType: ImplementationSpecific, backend: {service: {name: web, port: {number: 80}}}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  ports: [{port: 80}]
`);
  return compile(snapshot, defaultCompileOptions)
    .diagnostics.filter((diagnostic) => diagnostic.reason === 'RewriteCaptureMissing')
    .map((diagnostic) => diagnostic.message);
}

describe('RewriteCaptureMissing', () => {
  it('is not reported for the default location when the path has the groups', () => {
    expect(captureWarnings('/api(/|$)(.*)')).toEqual([]);
  });

  it('is reported for a path without them, naming that path', () => {
    expect(captureWarnings('/api/(.*)')).toEqual([
      'rewrite-target "/$2" uses $2 but path "/api/(.*)" has only 1 capture group(s): it is replaced by an empty string, as nginx does',
    ]);
  });
});
