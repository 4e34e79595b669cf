/**
 * HTTP plumbing shared by the routes: GitHub-shaped errors, request-body validation that answers like
 * GitHub (422 `{message, errors, documentation_url}`), and Link-header pagination.
 */
import type { BasicError, ValidationError, ValidationErrorItem } from './types.js';

export const DOCS = 'https://docs.github.com/rest';

export interface StandinResponse {
  status: number;
  /** JSON-serialisable body; a Buffer is sent as-is (raw media types). Omitted for 204. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** Thrown by handlers; the server turns it into the response. */
export class HttpError extends Error {
  readonly status: number;
  readonly body: BasicError | ValidationError;
  readonly headers: Record<string, string>;
  constructor(status: number, body: BasicError | ValidationError, headers: Record<string, string> = {}) {
    super(body.message ?? `HTTP ${status}`);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

export function basicError(status: number, message: string, docs = DOCS): HttpError {
  const body: BasicError = { message, documentation_url: docs, status: String(status) };
  return new HttpError(status, body);
}

export const notFound = (docs = DOCS): HttpError => basicError(404, 'Not Found', docs);

/** 422 "Validation Failed" with GitHub's `errors` array. */
export function validationFailed(errors: ValidationErrorItem[], docs = DOCS): HttpError {
  const body: ValidationError & { status: string } = { message: 'Validation Failed', errors, documentation_url: docs, status: '422' };
  return new HttpError(422, body);
}

/** 422 with a plain message (what GitHub answers for e.g. "Reference already exists"). */
export const unprocessable = (message: string, docs = DOCS): HttpError => basicError(422, message, docs);

export function json(status: number, body: unknown, headers: Record<string, string> = {}): StandinResponse {
  return { status, body, headers };
}

// ------------------------------------------------------------------ body validation

export type Body = Record<string, unknown>;

/** The request body as an object; GitHub answers 400 "Problems parsing JSON" otherwise. */
export function requireObject(body: unknown): Body {
  if (body === undefined) return {};
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw basicError(400, 'Problems parsing JSON');
  }
  return body as Body;
}

/** GitHub's 422 for a parameter of the wrong type. */
export function invalidParam(field: string, expected: string, value: unknown): HttpError {
  return unprocessable(`Invalid request.\n\nFor '${field}', ${JSON.stringify(value)} is not ${expected}.`);
}

export function missingParam(field: string): HttpError {
  return unprocessable(`Invalid request.\n\n"${field}" wasn't supplied.`);
}

export function str(body: Body, field: string, required: true): string;
export function str(body: Body, field: string, required?: false): string | undefined;
export function str(body: Body, field: string, required = false): string | undefined {
  const value = body[field];
  if (value === undefined || (value === null && !required)) {
    if (required) throw missingParam(field);
    return undefined;
  }
  if (typeof value !== 'string') throw invalidParam(field, 'a string', value);
  return value;
}

export function bool(body: Body, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalidParam(field, 'a boolean', value);
  return value;
}

export function strArray(body: Body, field: string): string[] | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw invalidParam(field, 'an array of strings', value);
  return value as string[];
}

/** An optional `{name, email, date?}` object (commit author/committer). */
export function person(body: Body, field: string): { name: string; email: string; date?: string } | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParam(field, 'an object', value);
  const p = value as Body;
  if (typeof p.name !== 'string' || p.name === '') throw invalidParam(`${field}.name`, 'a string', p.name);
  if (typeof p.email !== 'string' || p.email === '') throw invalidParam(`${field}.email`, 'a string', p.email);
  if (p.date !== undefined && (typeof p.date !== 'string' || Number.isNaN(Date.parse(p.date)))) {
    throw invalidParam(`${field}.date`, 'a valid ISO 8601 date', p.date);
  }
  return { name: p.name, email: p.email, ...(typeof p.date === 'string' ? { date: p.date } : {}) };
}

export const SHA_RE = /^[0-9a-f]{40}$/;

// ------------------------------------------------------------------ pagination

export interface Page {
  page: number;
  perPage: number;
}

/** `per_page` (default 30, at most 100) and `page` (from 1) from the query, as GitHub reads them. */
export function pageOf(query: URLSearchParams, defaultPerPage = 30, maxPerPage = 100): Page {
  const perRaw = Number(query.get('per_page') ?? defaultPerPage);
  const pageRaw = Number(query.get('page') ?? 1);
  const perPage = Number.isFinite(perRaw) && perRaw >= 1 ? Math.min(Math.floor(perRaw), maxPerPage) : defaultPerPage;
  const page = Number.isFinite(pageRaw) && pageRaw >= 1 ? Math.floor(pageRaw) : 1;
  return { page, perPage };
}

/** GitHub's Link header (next/last/first/prev) for a list of `total` items, or undefined for one page. */
export function linkHeader(absoluteUrl: string, query: URLSearchParams, page: Page, total: number): string | undefined {
  const lastPage = Math.max(1, Math.ceil(total / page.perPage));
  const at = (n: number) => {
    const q = new URLSearchParams(query);
    q.set('per_page', String(page.perPage));
    q.set('page', String(n));
    return `<${absoluteUrl}?${q.toString()}>`;
  };
  const links: string[] = [];
  if (page.page > 1) links.push(`${at(page.page - 1)}; rel="prev"`);
  if (page.page < lastPage) links.push(`${at(page.page + 1)}; rel="next"`);
  if (page.page < lastPage) links.push(`${at(lastPage)}; rel="last"`);
  if (page.page > 1) links.push(`${at(1)}; rel="first"`);
  return links.length ? links.join(', ') : undefined;
}

/** Slices `items` to the requested page and builds the Link header. */
export function paginate<T>(items: T[], query: URLSearchParams, absoluteUrl: string, defaultPerPage = 30): { slice: T[]; headers: Record<string, string> } {
  const page = pageOf(query, defaultPerPage);
  const slice = items.slice((page.page - 1) * page.perPage, page.page * page.perPage);
  const link = linkHeader(absoluteUrl, query, page, items.length);
  return { slice, headers: link ? { link } : {} };
}
