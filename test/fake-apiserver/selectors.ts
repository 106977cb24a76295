// Label and field selectors as the API server parses them (apimachinery pkg/labels/selector.go and
// pkg/fields/selector.go): comma-separated requirements, all of which must hold. Field selectors support only
// `=`, `==`, `!=` and only the labels a type registers; anything else is a 400, as on a real server.
import type { KubeJson, ResourceType } from './resources.ts';

export type Matcher = (object: KubeJson) => boolean;

export class SelectorError extends Error {}

const setRequirement = /^([^\s!=(),]+)\s+(in|notin)\s+\(([^)]*)\)$/;

function labelRequirement(text: string): Matcher {
  const set = setRequirement.exec(text);
  const labels = (o: KubeJson): Record<string, string> => (o.metadata['labels'] as Record<string, string> | undefined) ?? {};
  if (set) {
    const [, key, op, values] = set as unknown as [string, string, string, string];
    const allowed = new Set(values.split(',').map((v) => v.trim()));
    return op === 'in'
      ? (o) => Object.hasOwn(labels(o), key) && allowed.has(labels(o)[key]!)
      : (o) => !Object.hasOwn(labels(o), key) || !allowed.has(labels(o)[key]!);
  }
  const ne = text.split('!=');
  if (ne.length === 2) return (o) => labels(o)[ne[0]!.trim()] !== ne[1]!.trim();
  const eq = text.split(/==?/);
  if (eq.length === 2) return (o) => labels(o)[eq[0]!.trim()] === eq[1]!.trim();
  if (text.startsWith('!')) return (o) => !Object.hasOwn(labels(o), text.slice(1).trim());
  if (/^[^\s!=(),]+$/.test(text)) return (o) => Object.hasOwn(labels(o), text);
  throw new SelectorError(`unable to parse requirement: ${JSON.stringify(text)}`);
}

/** Splits on commas outside parentheses (`a in (x,y),b=c`). */
function requirements(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of selector) {
    if (char === '(') depth++;
    if (char === ')') depth--;
    if (char === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  if (current.trim() !== '') parts.push(current.trim());
  return parts;
}

export function parseLabelSelector(selector: string | null): Matcher {
  if (selector === null || selector.trim() === '') return () => true;
  const matchers = requirements(selector).map(labelRequirement);
  return (o) => matchers.every((m) => m(o));
}

export function parseFieldSelector(selector: string | null, type: ResourceType): Matcher {
  if (selector === null || selector.trim() === '') return () => true;
  const matchers = requirements(selector).map((text): Matcher => {
    const negated = text.includes('!=');
    const [label, value] = text.split(negated ? '!=' : /==?/).map((s) => s.trim()) as [string, string | undefined];
    if (value === undefined) throw new SelectorError(`invalid selector: ${JSON.stringify(text)}; can't understand '${text}'`);
    const get = fieldGetter(label, type);
    return negated ? (o) => get(o) !== value : (o) => get(o) === value;
  });
  return (o) => matchers.every((m) => m(o));
}

function fieldGetter(label: string, type: ResourceType): (o: KubeJson) => string {
  if (label === 'metadata.name') return (o) => String(o.metadata['name'] ?? '');
  if (label === 'metadata.namespace' && type.namespaced) return (o) => String(o.metadata['namespace'] ?? '');
  const getter = type.fieldLabels[label];
  if (getter === undefined) throw new SelectorError(`field label not supported: ${label}`);
  return getter;
}
