// Publishes diagnostics as Kubernetes Events on the object concerned (type Warning for errors and warnings,
// Normal for information; the diagnostic's stable code as the reason; a message naming the field), the way
// `kubectl describe ingress` shows them. A diagnostic is published when it appears, not again while it
// persists, so a steady state makes no API calls; one that goes away and comes back is published again.
import { createHash } from 'node:crypto';
import { type CoreV1Api, type CoreV1Event } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Diagnostic, ObjectRef, Snapshot } from '../../model/index.ts';

const apiVersions: Readonly<Record<ObjectRef['kind'], string>> = {
  Ingress: 'networking.k8s.io/v1', IngressClass: 'networking.k8s.io/v1', Service: 'v1', EndpointSlice: 'discovery.k8s.io/v1', Secret: 'v1',
  ConfigMap: 'v1',
};

/** The Events API limits messages to 1 KiB; longer ones are rejected, not truncated. */
const maxMessage = 1024;
/** A bad burst (a thousand broken Ingresses applied at once) must not become a thousand API calls at once. */
const maxPerRound = 100;

export class EventRecorder {
  readonly #core: CoreV1Api;
  readonly #logger: Logger;
  readonly #instance: string;
  #published = new Set<string>();

  constructor(core: CoreV1Api, logger: Logger, instance: string) {
    this.#core = core;
    this.#logger = logger;
    this.#instance = instance;
  }

  /** Forgets what was published (a new leader publishes the current diagnostics once). */
  reset(): void {
    this.#published = new Set();
  }

  async publish(diagnostics: readonly Diagnostic[], snapshot: Snapshot): Promise<void> {
    const current = new Set<string>();
    let sent = 0;
    for (const diagnostic of diagnostics) {
      if (diagnostic.object === undefined || diagnostic.object.namespace === '') continue;
      const key = JSON.stringify([diagnostic.object, diagnostic.reason, diagnostic.field, diagnostic.message]);
      current.add(key);
      if (this.#published.has(key) || sent >= maxPerRound) continue;
      sent++;
      try {
        await this.#core.createNamespacedEvent({ namespace: diagnostic.object.namespace, body: this.#event(diagnostic, key, uidOf(diagnostic.object, snapshot)) });
        this.#published.add(key);
      } catch (err: unknown) {
        current.delete(key); // retried with the next diagnostics round
        this.#logger.warn({ error: String(err).split('\n')[0], reason: diagnostic.reason }, 'events: could not publish a diagnostic as an Event');
      }
    }
    this.#published = new Set([...this.#published].filter((k) => current.has(k)));
  }

  #event(diagnostic: Diagnostic, key: string, uid: string): CoreV1Event {
    const ref = diagnostic.object!;
    const now = new Date();
    const text = diagnostic.field ? `${diagnostic.field}: ${diagnostic.message}` : diagnostic.message;
    return {
      metadata: { name: `${ref.name}.${createHash('sha256').update(key).update(String(now.getTime())).digest('hex').slice(0, 16)}`, namespace: ref.namespace },
      involvedObject: { apiVersion: apiVersions[ref.kind], kind: ref.kind, namespace: ref.namespace, name: ref.name, ...(uid ? { uid } : {}) },
      reason: diagnostic.reason,
      message: text.length > maxMessage ? `${text.slice(0, maxMessage - 1)}…` : text,
      type: diagnostic.severity === 'Info' ? 'Normal' : 'Warning',
      source: { component: 'sluice' },
      reportingComponent: 'sluice.dev/ingress-controller',
      reportingInstance: this.#instance,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
  }
}

function uidOf(ref: ObjectRef, snapshot: Snapshot): string {
  if (ref.kind === 'ConfigMap') return snapshot.configMap?.metadata.uid ?? '';
  const objects = ref.kind === 'Ingress' ? snapshot.ingresses : ref.kind === 'Service' ? snapshot.services : ref.kind === 'Secret' ? snapshot.secrets : [];
  return objects.find((o) => o.metadata.namespace === ref.namespace && o.metadata.name === ref.name)?.metadata.uid ?? '';
}
