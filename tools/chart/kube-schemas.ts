/**
 * The Kubernetes schemas from `kubernetes-models` (the OpenAPI definitions compiled to validators), made
 * strict: those validators check types, required fields and formats but let any unknown field through, so
 * unknown fields are found against @kubernetes/client-node's models (generated from the same OpenAPI
 * definitions), which list every field of every type.
 */
import * as k8s from '@kubernetes/client-node';

type ModelClass = new (data: unknown) => { validate(): void };
interface AjvError {
  instancePath: string;
  message?: string;
}
interface AttributeType {
  baseName: string;
  type: string;
}
interface ClientModel {
  getAttributeTypeMap(): AttributeType[];
}

/** `kubernetes-models/<group>/<version>/<Kind>` (`v1/<Kind>` for the core group); undefined when it has none. */
async function modelFor(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  if (!/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion) || !/^[A-Za-z0-9]+$/.test(kind)) return undefined;
  try {
    const exported = (await import(`kubernetes-models/${apiVersion}/${kind}`)) as Record<string, unknown>;
    return exported[kind] as ModelClass | undefined;
  } catch {
    return undefined;
  }
}

/** What is wrong with an object against its Kubernetes schema; undefined when there is no schema for it. */
export async function schemaProblems(raw: Record<string, unknown>, typed: object): Promise<string[] | undefined> {
  const Model = await modelFor(String(raw.apiVersion), String(raw.kind));
  if (!Model) return undefined;
  const problems: string[] = [];
  try {
    new Model(raw).validate();
  } catch (error) {
    const errors = (error as { errors?: AjvError[] }).errors;
    problems.push(...(errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`));
    if (!errors) problems.push(String(error));
  }
  const root = clientModel(typed.constructor.name);
  if (root) problems.push(...unknownFields(raw, root, '').map((path) => `${path} is not a field of ${raw.kind}`));
  return problems;
}

function clientModel(type: string): ClientModel | undefined {
  const candidate = (k8s as unknown as Record<string, unknown>)[type];
  return typeof candidate === 'function' && 'getAttributeTypeMap' in candidate ? (candidate as ClientModel) : undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function unknownFields(value: unknown, model: ClientModel, path: string): string[] {
  if (!isRecord(value)) return [];
  const fields = new Map(model.getAttributeTypeMap().map(({ baseName, type }) => [baseName, type]));
  return Object.entries(value).flatMap(([key, child]) => {
    const type = fields.get(key);
    return type === undefined ? [`${path}/${key}`] : unknownFieldsOfType(child, type, `${path}/${key}`);
  });
}

/** client-node's type names: a model, `Array<T>`, `{ [key: string]: T; }`, or a leaf (string, IntOrString, any). */
function unknownFieldsOfType(value: unknown, type: string, path: string): string[] {
  const item = /^Array<(.+)>$/.exec(type)?.[1];
  if (item) return Array.isArray(value) ? value.flatMap((v, i) => unknownFieldsOfType(v, item, `${path}/${i}`)) : [];
  const entry = /^\{ \[key: string\]: (.+); \}$/.exec(type)?.[1];
  if (entry)
    return isRecord(value)
      ? Object.entries(value).flatMap(([k, v]) => unknownFieldsOfType(v, entry, `${path}/${k}`))
      : [];
  const model = clientModel(type);
  return model ? unknownFields(value, model, path) : [];
}
