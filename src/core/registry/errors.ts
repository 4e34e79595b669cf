import { ConfigurationError, ExternalError } from '../action/errors.js';

/** One entry of the distribution-spec error body `{"errors":[{code,message,detail}]}`. */
export interface RegistryErrorItem {
  code: string;
  message?: string;
  detail?: unknown;
}

/** What went wrong at the registry, carried by both error classes so callers can branch on status/code. */
export interface RegistryFailure {
  status: number | undefined;
  codes: string[];
}

/** The registry refused us (401/403) or does not have what the user named (404): the user's to fix. */
export class RegistryAccessError extends ConfigurationError implements RegistryFailure {
  readonly status: number | undefined;
  readonly codes: string[];
  constructor(message: string, status: number | undefined, codes: string[] = []) {
    super(message);
    this.status = status;
    this.codes = codes;
  }
}

/** The registry or the network failed (5xx after retries, resets, bad answers). */
export class RegistryError extends ExternalError implements RegistryFailure {
  readonly status: number | undefined;
  readonly codes: string[];
  constructor(message: string, status: number | undefined, codes: string[] = [], options?: { cause?: unknown }) {
    super(message, options);
    this.status = status;
    this.codes = codes;
  }
}

export function parseErrorBody(body: Uint8Array | string): RegistryErrorItem[] {
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  try {
    const parsed: unknown = JSON.parse(text);
    const errors = parsed && typeof parsed === 'object' && 'errors' in parsed ? parsed.errors : undefined;
    if (!Array.isArray(errors)) return [];
    return errors
      .filter((e): e is Record<string, unknown> => !!e && typeof e === 'object')
      .map((e) => ({
        code: typeof e.code === 'string' ? e.code : 'UNKNOWN',
        message: typeof e.message === 'string' ? e.message : undefined,
        detail: e.detail,
      }));
  } catch {
    return [];
  }
}

/** `MANIFEST_INVALID: manifest invalid (detail …)`; several errors joined with `; `. */
export function describeErrors(items: RegistryErrorItem[]): string {
  return items
    .map((e) => {
      let s = e.code;
      if (e.message) s += `: ${e.message}`;
      const detail = describeDetail(e.detail);
      if (detail) s += ` (${detail})`;
      return s;
    })
    .join('; ');
}

function describeDetail(detail: unknown): string {
  if (detail === undefined || detail === null || detail === '') return '';
  const text = typeof detail === 'string' ? detail : JSON.stringify(detail);
  return oneLineCapped(text, 200);
}

function oneLineCapped(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

export const GHCR_DENIED_HINT =
  'On ghcr.io the workflow needs `permissions: packages: write`, and the package must be linked to this ' +
  'repository with write access under its Package settings → "Manage Actions access" (a package that does ' +
  'not exist yet or belongs to another owner also answers DENIED).';

export interface FailureContext {
  /** e.g. `PUT manifest ghcr.io/owner/app:stable` */
  action: string;
  host: string;
  status: number;
  statusText?: string;
  body: Uint8Array;
  /** The `error` parameter of a Bearer challenge (e.g. insufficient_scope), when there was one. */
  challengeError?: string;
  /** Replaces the default advice appended to the message. */
  hint?: string;
}

/**
 * One line saying what failed and why, from the error body when the registry sent one, and an error class
 * matching whose fault it is: 401/403/404 are the user's to fix, anything else is external.
 */
export function registryFailure(ctx: FailureContext): RegistryAccessError | RegistryError {
  const items = parseErrorBody(ctx.body);
  const codes = items.map((e) => e.code);
  let reason = items.length > 0 ? describeErrors(items) : bodySnippet(ctx.body);
  if (ctx.challengeError) reason = reason ? `${reason} [${ctx.challengeError}]` : ctx.challengeError;
  let message = `${ctx.action} failed: HTTP ${ctx.status}${ctx.statusText ? ` ${ctx.statusText}` : ''}${reason ? `: ${reason}` : ''}`;
  const denied = ctx.status === 401 || ctx.status === 403 || codes.includes('DENIED') || codes.includes('UNAUTHORIZED');
  if (ctx.hint) message += `. ${ctx.hint}`;
  else if (denied && isGhcr(ctx.host)) message += `. ${GHCR_DENIED_HINT}`;
  else if (ctx.challengeError === 'insufficient_scope') message += '. The credentials lack push or pull access to this repository.';
  else if (ctx.status === 401) message += '. Check the username and password.';
  if (denied || ctx.status === 404) return new RegistryAccessError(message, ctx.status, codes);
  return new RegistryError(message, ctx.status, codes);
}

function bodySnippet(body: Uint8Array): string {
  const text = Buffer.from(body.subarray(0, 400)).toString('utf8');
  if (/<html|<!doctype/i.test(text)) return '';
  return oneLineCapped(text, 200);
}

export function isGhcr(host: string): boolean {
  return host.toLowerCase() === 'ghcr.io';
}
