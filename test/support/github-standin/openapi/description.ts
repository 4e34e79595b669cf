/**
 * GitHub's official OpenAPI description (npm `@octokit/openapi`, `generated/api.github.com.json`), reduced to
 * what the stand-in's schema check needs: every operation's method, path template, parameters, JSON request
 * body and JSON response schemas, plus the component schemas they reference.
 *
 * The description is 13 MB of JSON (parsing it alone costs ~0.4 s, and every test file is its own process):
 * the first process writes the reduced form (~3 MB: no descriptions, examples or `x-github` extras, parameter
 * and response `$ref`s resolved, OpenAPI 3.0's `nullable` turned into JSON Schema) to
 * node_modules/.cache/greenline-openapi/, keyed by the package version and the file's size and mtime; later
 * processes read that (~70 ms). Nothing is loaded until the first request reaches a stand-in.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type JsonSchema = Record<string, unknown>;

export interface ParameterSpec {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: JsonSchema;
}

export interface ResponseSpec {
  /** Media types the response is documented with (empty: no body). */
  mediaTypes: string[];
  /** The JSON media type's schema, when there is one. */
  schema?: JsonSchema;
}

export interface OperationSpec {
  operationId: string;
  method: string;
  template: string;
  parameters: ParameterSpec[];
  requestBody?: { required: boolean; mediaTypes: string[]; schema?: JsonSchema };
  /** Keyed by status code ("200", "422") or "default". */
  responses: Record<string, ResponseSpec>;
}

export interface ReducedDescription {
  /** `@octokit/openapi` version and the description's `info.version`. */
  version: string;
  operations: OperationSpec[];
  /** `components.schemas`, referenced from the schemas above (and each other) as `${COMPONENT_ID_PREFIX}<name>`. */
  schemas: Record<string, JsonSchema>;
}

/** Each component schema is its own Ajv schema, `$id` = this prefix + its name: registered only when referenced. */
export const COMPONENT_ID_PREFIX = 'https://openapi.github.test/components/schemas/';
const CACHE_FORMAT = 3;
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];
/** Documentation-only keywords: dropped, except where they are property names (`properties.description`). */
const DOC_KEYS = new Set(['description', 'summary', 'example', 'examples', 'externalDocs', 'title', 'deprecated', 'readOnly', 'writeOnly', 'discriminator']);

let loaded: ReducedDescription | undefined;

/** The reduced description, loaded once per process (from the cache when it is current). */
export function githubDescription(): ReducedDescription {
  loaded ??= load();
  return loaded;
}

function load(): ReducedDescription {
  const require = createRequire(import.meta.url);
  const pkgPath = require.resolve('@octokit/openapi/package.json');
  const source = join(dirname(pkgPath), 'generated', 'api.github.com.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { version: string };
  const stat = statSync(source);
  const key = `${pkg.version}-${stat.size}-${Math.floor(stat.mtimeMs)}-f${CACHE_FORMAT}`;
  const cacheDir = join(dirname(pkgPath).replace(/[\\/]@octokit[\\/]openapi$/, ''), '.cache', 'greenline-openapi');
  const cacheFile = join(cacheDir, `api.github.com-${key}.json`);
  try {
    return JSON.parse(readFileSync(cacheFile, 'utf8')) as ReducedDescription;
  } catch {
    // not cached yet (or unreadable): build it
  }
  const reduced = reduce(JSON.parse(readFileSync(source, 'utf8')) as OpenApiDocument, pkg.version);
  try {
    mkdirSync(cacheDir, { recursive: true });
    // Written aside and renamed: test files start in parallel, and none may read half a file.
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(reduced));
    renameSync(tmp, cacheFile);
  } catch {
    // a read-only node_modules: every process reduces the description itself
  }
  return reduced;
}

// ------------------------------------------------------------------ reduction

interface OpenApiDocument {
  info: { version: string };
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown>; parameters: Record<string, unknown>; responses: Record<string, unknown> };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function reduce(doc: OpenApiDocument, version: string): ReducedDescription {
  const component = (ref: unknown, kind: 'parameters' | 'responses'): Obj => {
    const prefix = `#/components/${kind}/`;
    if (typeof ref !== 'string' || !ref.startsWith(prefix)) throw new Error(`unexpected $ref ${String(ref)}`);
    const found = doc.components[kind][ref.slice(prefix.length)];
    if (!isObj(found)) throw new Error(`unresolved $ref ${ref}`);
    return found;
  };
  const deref = (v: unknown, kind: 'parameters' | 'responses'): Obj => (isObj(v) && typeof v.$ref === 'string' ? component(v.$ref, kind) : (v as Obj));

  const operations: OperationSpec[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    const shared = Array.isArray(item.parameters) ? item.parameters : [];
    for (const method of METHODS) {
      const op = item[method];
      if (!isObj(op)) continue;
      const params = new Map<string, ParameterSpec>();
      for (const raw of [...shared, ...(Array.isArray(op.parameters) ? op.parameters : [])]) {
        const p = deref(raw, 'parameters');
        const spec: ParameterSpec = { name: String(p.name), in: p.in as ParameterSpec['in'], required: p.required === true, schema: schemaOf(p.schema) };
        params.set(`${spec.in}:${spec.name}`, spec);
      }
      const responses: Record<string, ResponseSpec> = {};
      for (const [status, raw] of Object.entries(isObj(op.responses) ? op.responses : {})) {
        responses[status] = mediaOf(deref(raw, 'responses').content);
      }
      const body = isObj(op.requestBody) ? op.requestBody : undefined;
      operations.push({
        operationId: String(op.operationId),
        method: method.toUpperCase(),
        template,
        parameters: [...params.values()],
        ...(body ? { requestBody: { required: body.required === true, ...mediaOf(body.content) } } : {}),
        responses,
      });
    }
  }
  const schemas: Record<string, JsonSchema> = {};
  for (const [name, schema] of Object.entries(doc.components.schemas)) schemas[name] = schemaOf(schema);
  return { version: `${version} (${doc.info.version})`, operations, schemas };
}

function mediaOf(content: unknown): ResponseSpec {
  if (!isObj(content)) return { mediaTypes: [] };
  const mediaTypes = Object.keys(content);
  const jsonType = mediaTypes.find((t) => t === 'application/json') ?? mediaTypes.find((t) => /[/+]json$/.test(t));
  const media = jsonType ? content[jsonType] : undefined;
  return { mediaTypes, ...(isObj(media) && media.schema !== undefined ? { schema: schemaOf(media.schema) } : {}) };
}

/**
 * An OpenAPI 3.0 schema as JSON Schema for Ajv: no documentation keywords, `nullable` made explicit, `oneOf`
 * read as `anyOf`.
 */
function schemaOf(raw: unknown): JsonSchema {
  return convert(raw) as JsonSchema;
}

function convert(v: unknown, propertyMap = false): unknown {
  if (Array.isArray(v)) return v.map((x) => convert(x));
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const [key, value] of Object.entries(v)) {
    if (!propertyMap && (DOC_KEYS.has(key) || key.startsWith('x-'))) continue;
    if (!propertyMap && key === '$ref' && typeof value === 'string') {
      out.$ref = value.replace(/^#\/components\/schemas\//, COMPONENT_ID_PREFIX);
      continue;
    }
    // GitHub's `oneOf`s list shapes that overlap (basic-error and repository-rule-violation-error have only
    // optional fields: every error body matches both), so "exactly one" would refuse GitHub's own answers.
    const name = !propertyMap && key === 'oneOf' ? 'anyOf' : key;
    out[name] = convert(value, !propertyMap && (key === 'properties' || key === 'patternProperties'));
  }
  if (propertyMap || out.nullable === undefined) return out;
  const nullable = out.nullable === true;
  delete out.nullable;
  if (!nullable) return out;
  if (typeof out.type === 'string') {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  // `nullable` beside allOf/oneOf/anyOf (or alone): null, or whatever the rest allows.
  return Object.keys(out).length === 0 ? out : { anyOf: [{ type: 'null' }, out] };
}
