// Golden inputs are written the way users write manifests and read with the real normaliser the manifest
// source uses (src/watch), so a golden case exercises exactly what a user's file would produce.
import { parseAllDocuments } from 'yaml';
import type { CompileOptions, ConfigMap, Ingress, IngressClass, Secret, Service, Snapshot } from '../../src/model/index.ts';
import { defaultCompileOptions } from '../../src/model/index.ts';
import { expandList, normalizeObject } from '../../src/watch/index.ts';

export interface LoadedCase {
  readonly snapshot: Snapshot;
  readonly options: CompileOptions;
}

/**
 * Multi-document YAML → snapshot. A document of kind `CompileOptions` (test-only) overrides compile options; a
 * ConfigMap document is the global ConfigMap (as if named by --configmap).
 */
export function loadCase(yamlText: string): LoadedCase {
  const ingresses: Ingress[] = [];
  const ingressClasses: IngressClass[] = [];
  const services: Service[] = [];
  const secrets: Secret[] = [];
  let configMap: ConfigMap | null = null;
  let options: CompileOptions = defaultCompileOptions;
  for (const document of parseAllDocuments(yamlText)) {
    if (document.errors.length > 0) throw new Error(`bad test YAML: ${document.errors[0]!.message}`);
    const raw = document.toJS() as { kind?: string; spec?: Partial<CompileOptions> } | null;
    if (raw === null) continue;
    if (raw.kind === 'CompileOptions') {
      options = { ...defaultCompileOptions, ...raw.spec };
      continue;
    }
    for (const item of expandList(raw)) {
      const result = normalizeObject(item.raw, { configMap: configMapRefOf(item.raw) });
      if ('error' in result) throw new Error(`bad test object: ${result.field}: ${result.error}`);
      if (!('object' in result)) continue;
      const object = result.object;
      if (object.kind === 'Ingress') ingresses.push(object);
      else if (object.kind === 'IngressClass') ingressClasses.push(object);
      else if (object.kind === 'Service') services.push(object);
      else if (object.kind === 'Secret') secrets.push(object);
      else if (object.kind === 'ConfigMap') configMap = object;
    }
  }
  return { snapshot: { ingresses, ingressClasses, services, secrets, configMap }, options };
}

function configMapRefOf(raw: unknown): { namespace: string; name: string } | null {
  const { kind, metadata } = raw as { kind?: string; metadata?: { namespace?: string; name?: string } };
  return kind === 'ConfigMap' ? { namespace: metadata?.namespace ?? 'default', name: metadata?.name ?? '' } : null;
}
