/**
 * Checks the stand-in's traffic against GitHub's OpenAPI description: each request's operation (method + path
 * template), its path and query parameters and JSON body; each response's body against the schema documented
 * for its status code. Validators are compiled with Ajv per operation on first use, once per process.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import { COMPONENT_ID_PREFIX, githubDescription, type JsonSchema, type OperationSpec, type ParameterSpec, type ReducedDescription } from './description.js';

export type { SchemaViolation } from '../violations.js';

// ajv-formats is CommonJS with `exports.default`: under NodeNext the default import is the module object.
type FormatsPlugin = (ajv: Ajv) => Ajv;
const addFormats = ((addFormatsImport as unknown as { default?: FormatsPlugin }).default ?? addFormatsImport) as unknown as FormatsPlugin;

/**
 * Statuses GitHub gives on any operation whether or not its description lists them: bad credentials, a token
 * without the permission or a secondary rate limit (403), no access (404), rate limits (429), server faults
 * (5xx). Their bodies must still be GitHub's error object.
 */
const ANY_OPERATION_STATUSES = new Set([400, 401, 403, 404, 429, 500, 502, 503, 504]);

/** Answers the stand-in gives on purpose although the description does not list them (see its README). */
export const DOCUMENTED_EXCEPTIONS: { method: string; path: RegExp; status: number; why: string }[] = [
  { method: 'GET', path: /^\/search\//, status: 410, why: 'the search API is refused on purpose: greenline must not use it' },
];

/** Path parameters whose values may contain a slash (`heads/main`, `docs/LEDGER.md`, `main...feature`). */
const SLASHED_PARAMS = new Set(['ref', 'path', 'basehead', 'branch', 'tree_sha']);

interface IndexedOperation {
  op: OperationSpec;
  names: string[];
  strict: RegExp;
  loose: RegExp;
  literals: number;
}

interface Compiled {
  path?: ValidateFunction;
  query?: ValidateFunction;
  body?: ValidateFunction;
  responses: Map<string, ValidateFunction | null>;
}

class Checker {
  private readonly description: ReducedDescription;
  private readonly index = new Map<string, IndexedOperation[]>();
  private readonly compiled = new Map<string, Compiled>();
  private readonly ajv: Ajv;
  private readonly registered = new Set<string>();
  private genericError?: ValidateFunction;

  constructor() {
    this.description = githubDescription();
    // inlineRefs: false compiles each component once as its own function (pull-request embeds simple-user and
    // repository many times): 4× faster to compile than inlining them.
    this.ajv = new Ajv({ strict: false, allErrors: true, inlineRefs: false, validateSchema: false });
    addFormats(this.ajv);
    // Formats of the description that carry no rule Ajv knows: documentation only.
    for (const name of ['int32', 'int64', 'double', 'float', 'binary', 'repo.nwo', 'timestamp', 'ssh-key']) this.ajv.addFormat(name, true);
    for (const op of this.description.operations) {
      const list = this.index.get(op.method) ?? [];
      list.push(indexed(op));
      this.index.set(op.method, list);
    }
  }

  /** Compiles a schema after registering the component schemas it reaches (and only those). */
  private compile(schema: JsonSchema): ValidateFunction {
    const pending = [schema];
    while (pending.length) {
      for (const ref of refsOf(pending.pop())) {
        if (!ref.startsWith(COMPONENT_ID_PREFIX) || this.registered.has(ref)) continue;
        const component = this.description.schemas[ref.slice(COMPONENT_ID_PREFIX.length)];
        if (!component) continue; // Ajv reports the unresolved reference
        this.registered.add(ref);
        this.ajv.addSchema({ ...component, $id: ref });
        pending.push(component);
      }
    }
    return this.ajv.compile(schema);
  }

  /** The operation for a method and a raw (percent-encoded) path: the most specific template that matches. */
  match(method: string, rawPath: string): { op: OperationSpec; params: Record<string, string> } | null {
    const candidates = this.index.get(method) ?? [];
    // Octokit encodes a slash inside a parameter (`heads%2Fmain`); other clients send it raw (`heads/main`).
    for (const mode of ['strict', 'loose'] as const) {
      let best: { entry: IndexedOperation; m: RegExpExecArray } | undefined;
      for (const entry of candidates) {
        const m = entry[mode].exec(rawPath);
        if (m && (!best || entry.literals > best.entry.literals)) best = { entry, m };
      }
      if (best) {
        const params: Record<string, string> = {};
        best.entry.names.forEach((name, i) => {
          const value = best.m[i + 1] ?? '';
          try {
            params[name] = decodeURIComponent(value);
          } catch {
            params[name] = value;
          }
        });
        return { op: best.entry.op, params };
      }
    }
    return null;
  }

  private compiledFor(op: OperationSpec): Compiled {
    let c = this.compiled.get(op.operationId);
    if (c) return c;
    c = { responses: new Map() };
    const group = (where: 'path' | 'query') => {
      const list = op.parameters.filter((p) => p.in === where);
      return this.compile({
        type: 'object',
        properties: Object.fromEntries(list.map((p) => [p.name, p.schema])),
        required: list.filter((p) => p.required).map((p) => p.name),
        // A query parameter the operation does not take is ignored by GitHub: the client meant something else.
        additionalProperties: where === 'path',
      });
    };
    c.path = group('path');
    c.query = group('query');
    if (op.requestBody?.schema) c.body = this.compile(op.requestBody.schema);
    this.compiled.set(op.operationId, c);
    return c;
  }

  private responseValidator(op: OperationSpec, key: string, schema: JsonSchema): ValidateFunction {
    const c = this.compiledFor(op);
    let v = c.responses.get(key);
    if (!v) {
      v = this.compile(schema);
      c.responses.set(key, v);
    }
    return v;
  }

  private genericErrorValidator(): ValidateFunction {
    this.genericError ??= this.compile({
      anyOf: [{ $ref: `${COMPONENT_ID_PREFIX}basic-error` }, { $ref: `${COMPONENT_ID_PREFIX}validation-error` }],
      required: ['message'],
    });
    return this.genericError;
  }

  checkRequest(input: { method: string; rawPath: string; query: URLSearchParams; body: Buffer; contentType: string | undefined }): {
    op: OperationSpec | null;
    problems: string[];
  } {
    // GraphQL (`POST /graphql`: promote-to-stable's compare-and-swap tag move, `updateRefs`) is not in the REST
    // description: its route answers in GraphQL's own shapes (routes/graphql.ts).
    if (input.method === 'POST' && /^\/(api\/)?graphql\/?$/.test(input.rawPath)) return { op: null, problems: [] };
    const found = this.match(input.method, input.rawPath);
    if (!found) return { op: null, problems: ["GitHub's REST API has no operation with this method and path"] };
    const { op, params } = found;
    const c = this.compiledFor(op);
    const problems: string[] = [];
    const inPath = (name: string) => op.parameters.find((p) => p.in === 'path' && p.name === name);
    const pathValues = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, coerce(inPath(k), [v])]));
    if (c.path && !c.path(pathValues)) problems.push(...describe('path parameter', c.path.errors));
    const query: Record<string, unknown> = {};
    for (const key of new Set(input.query.keys())) {
      query[key] = coerce(op.parameters.find((p) => p.in === 'query' && p.name === key), input.query.getAll(key));
    }
    if (c.query && !c.query(query)) problems.push(...describe('query parameter', c.query.errors));
    const spec = op.requestBody;
    if (input.body.length === 0) {
      if (spec?.required) problems.push('the request body is required');
    } else if (!spec) {
      problems.push('this operation takes no request body');
    } else if (spec.schema) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(input.body.toString('utf8'));
      } catch {
        problems.push(`the request body is not JSON (content-type ${input.contentType ?? 'none'})`);
        return { op, problems };
      }
      if (c.body && !c.body(parsed)) problems.push(...describe('request body', c.body.errors));
    }
    return { op, problems };
  }

  checkResponse(op: OperationSpec, method: string, path: string, status: number, body: unknown): string[] {
    const documented = op.responses[String(status)] ?? op.responses.default;
    // An error documented without a body (DELETE git/refs 422) still carries GitHub's error object.
    const bodiless = documented && documented.mediaTypes.length === 0 && status >= 400;
    if (!documented || bodiless) {
      const exception = DOCUMENTED_EXCEPTIONS.some((e) => e.method === method && e.status === status && e.path.test(path));
      if (!bodiless && !exception && !ANY_OPERATION_STATUSES.has(status)) {
        return [`status ${status} is not documented for this operation (documented: ${Object.keys(op.responses).join(', ')})`];
      }
      const v = this.genericErrorValidator();
      if (body === undefined) return ['an error answer needs a body: {"message": ...}'];
      return v(body) ? [] : describe('error body', v.errors);
    }
    if (body === undefined) return documented.mediaTypes.length > 0 && documented.schema ? ['the documented body is missing'] : [];
    if (Buffer.isBuffer(body)) return []; // a raw media type (vnd.github.raw): the description documents JSON only
    if (!documented.schema) return documented.mediaTypes.length === 0 ? [`status ${status} is documented without a body, but one was sent`] : [];
    const v = this.responseValidator(op, String(status), documented.schema);
    return v(body) ? [] : describe('response body', v.errors);
  }
}

function indexed(op: OperationSpec): IndexedOperation {
  const names: string[] = [];
  let literals = 0;
  const strict: string[] = [];
  const loose: string[] = [];
  for (const segment of op.template.split('/')) {
    const m = /^\{(\w+)\}$/.exec(segment);
    if (m) {
      const name = m[1] ?? '';
      names.push(name);
      strict.push('([^/]+)');
      loose.push(SLASHED_PARAMS.has(name) ? '(.+)' : '([^/]+)');
      continue;
    }
    // A segment such as `{base}...{head}`: matched, not captured (Octokit uses `{basehead}`).
    const literal = segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\{\w+\\\}/g, '[^/]+');
    if (!segment.includes('{')) literals++;
    strict.push(literal);
    loose.push(literal);
  }
  return { op, names, literals, strict: new RegExp(`^${strict.join('/')}$`), loose: new RegExp(`^${loose.join('/')}$`) };
}

function refsOf(schema: unknown, found: string[] = []): string[] {
  if (Array.isArray(schema)) {
    for (const item of schema) refsOf(item, found);
  } else if (typeof schema === 'object' && schema !== null) {
    for (const [key, value] of Object.entries(schema)) {
      if (key === '$ref' && typeof value === 'string') found.push(value);
      else refsOf(value, found);
    }
  }
  return found;
}

/** A parameter's string value(s) as the type its schema says (GitHub parses `per_page=30` as a number). */
function coerce(spec: ParameterSpec | undefined, values: string[]): unknown {
  const schema = spec?.schema ?? {};
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  const one = (value: string): unknown => {
    if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
    if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
    return value;
  };
  if (type === 'array') return values.flatMap((v) => v.split(','));
  return values.length > 1 ? values.map(one) : one(values[0] ?? '');
}

const MAX_PROBLEMS = 8;

function describe(what: string, errors: ErrorObject[] | null | undefined): string[] {
  const list = (errors ?? []).map((e) => {
    const at = e.instancePath || '(root)';
    const extra = e.params && 'allowedValues' in e.params ? ` ${JSON.stringify(e.params.allowedValues)}` : e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : '';
    return `${what} ${at} ${e.message ?? 'is invalid'}${extra}`;
  });
  const unique = [...new Set(list)];
  return unique.length > MAX_PROBLEMS ? [...unique.slice(0, MAX_PROBLEMS), `… ${unique.length - MAX_PROBLEMS} more`] : unique;
}

let checker: Checker | undefined;

/** The process's one checker: the description is loaded, and Ajv set up, on the first call. */
export function schemaChecker(): Checker {
  checker ??= new Checker();
  return checker;
}

export type { Checker };
