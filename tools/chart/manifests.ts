import { loadAllYaml, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

/** One object of a render: as helm wrote it (for schema checks) and as client-node types it (for the rules). */
export interface RenderedObject<T extends KubernetesObject = KubernetesObject> {
  raw: Record<string, unknown>;
  typed: T;
  kind: string;
  name: string;
  /** `Kind/name`, how findings name the object. */
  ref: string;
}

/**
 * Parses `helm template` output. client-node's `loadAllYaml` gives typed objects but drops every field its
 * models do not know, so the raw documents are kept beside them: the schema check needs exactly those fields.
 */
export function parseManifests(text: string): RenderedObject[] {
  const present = parseAllDocuments(text).filter((document) => document.toJS() !== null);
  for (const document of present) {
    if (document.errors.length > 0) throw new Error(`helm output is not valid YAML: ${document.errors[0]!.message}`);
  }
  // Each document's own text, so loadAllYaml reads exactly what helm wrote, without the empty ones it cannot type.
  const sources = present.map(({ range }) => text.slice(range[0], range[2]).replace(/^(?!---)/, '---\n'));
  const typed = loadAllYaml(sources.join('')) as KubernetesObject[];
  return present.map((document, index) => {
    const raw = document.toJS() as Record<string, unknown>;
    const object = typed[index]!;
    const kind = String(raw.kind ?? '?');
    const name = String(object.metadata?.name ?? '?');
    return { raw, typed: object, kind, name, ref: `${kind}/${name}` };
  });
}

export function ofKind<T extends KubernetesObject>(objects: RenderedObject[], kind: string): RenderedObject<T>[] {
  return objects.filter((object) => object.kind === kind) as RenderedObject<T>[];
}
