import { describe, expect, it } from 'vitest';
import { ConfigurationError, ExternalError } from '../../src/core/action/errors.js';
import {
  GHCR_DENIED_HINT,
  RegistryAccessError,
  RegistryError,
  describeErrors,
  parseErrorBody,
  registryFailure,
} from '../../src/core/registry/errors.js';
import { DOCKER_MANIFEST, OCI_INDEX, manifestMediaType } from '../../src/core/registry/media-types.js';

const body = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

describe('registry error bodies', () => {
  it('parses the distribution-spec error list', () => {
    expect(
      parseErrorBody(body({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'x' } }, { code: 'DENIED' }] })),
    ).toEqual([
      { code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'x' } },
      { code: 'DENIED', message: undefined, detail: undefined },
    ]);
  });

  it('returns nothing for bodies that are not error lists', () => {
    for (const b of ['', 'not json', '{}', '{"errors":"x"}', '[1]', 'null']) expect(parseErrorBody(body(b))).toEqual([]);
    expect(parseErrorBody(body({ errors: [null, 3, { message: 'no code' }] }))).toEqual([{ code: 'UNKNOWN', message: 'no code', detail: undefined }]);
  });

  it('describes code, message and a short detail on one line', () => {
    expect(describeErrors([{ code: 'MANIFEST_INVALID', message: 'manifest invalid', detail: 'line one\n  line two' }])).toBe(
      'MANIFEST_INVALID: manifest invalid (line one line two)',
    );
    expect(describeErrors([{ code: 'A' }, { code: 'B', message: 'b', detail: { x: 1 } }])).toBe('A; B: b ({"x":1})');
    expect(describeErrors([{ code: 'C', detail: 'y'.repeat(500) }])).toHaveLength('C ('.length + 200 + ')'.length);
  });
});

describe('registryFailure', () => {
  const ctx = { action: 'PUT manifest ghcr.io/owner/app:stable', host: 'ghcr.io', statusText: 'Forbidden' };

  it('explains GHCR DENIED: packages: write and Manage Actions access', () => {
    const e = registryFailure({ ...ctx, status: 403, body: body({ errors: [{ code: 'DENIED', message: 'permission_denied: write_package' }] }) });
    expect(e).toBeInstanceOf(RegistryAccessError);
    expect(e).toBeInstanceOf(ConfigurationError);
    expect(e.message).toBe(`PUT manifest ghcr.io/owner/app:stable failed: HTTP 403 Forbidden: DENIED: permission_denied: write_package. ${GHCR_DENIED_HINT}`);
    expect(e.message).toContain('permissions: packages: write');
    expect(e.message).toContain('Manage Actions access');
    expect(e.status).toBe(403);
    expect(e.codes).toEqual(['DENIED']);
  });

  it('does not give GHCR advice to other registries', () => {
    const e = registryFailure({ ...ctx, host: 'registry.example', status: 403, body: body({ errors: [{ code: 'DENIED', message: 'requested access to the resource is denied' }] }) });
    expect(e.message).not.toContain('Manage Actions access');
  });

  it('points at credentials on 401 and at scope on insufficient_scope', () => {
    const unauthorized = body({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] });
    expect(registryFailure({ ...ctx, host: 'r.example', status: 401, statusText: 'Unauthorized', body: unauthorized }).message).toBe(
      'PUT manifest ghcr.io/owner/app:stable failed: HTTP 401 Unauthorized: UNAUTHORIZED: authentication required. Check the username and password.',
    );
    expect(
      registryFailure({ ...ctx, host: 'r.example', status: 401, body: unauthorized, challengeError: 'insufficient_scope' }).message,
    ).toMatch(/\[insufficient_scope\]\. The credentials lack push or pull access to this repository\.$/);
  });

  it('treats 5xx and other 4xx as external, 404 as the user\'s', () => {
    expect(registryFailure({ ...ctx, host: 'r.example', status: 500, body: body('') })).toBeInstanceOf(RegistryError);
    expect(registryFailure({ ...ctx, host: 'r.example', status: 500, body: body('') })).toBeInstanceOf(ExternalError);
    expect(registryFailure({ ...ctx, host: 'r.example', status: 400, body: body('') })).toBeInstanceOf(RegistryError);
    expect(registryFailure({ ...ctx, host: 'r.example', status: 404, body: body('') })).toBeInstanceOf(RegistryAccessError);
  });

  it('quotes a short plain-text body but not an HTML page', () => {
    expect(registryFailure({ ...ctx, host: 'r.example', status: 502, statusText: 'Bad Gateway', body: body('upstream\nconnect error') }).message).toBe(
      'PUT manifest ghcr.io/owner/app:stable failed: HTTP 502 Bad Gateway: upstream connect error',
    );
    expect(registryFailure({ ...ctx, host: 'r.example', status: 502, statusText: 'Bad Gateway', body: body('<html><body>nginx</body></html>') }).message).toBe(
      'PUT manifest ghcr.io/owner/app:stable failed: HTTP 502 Bad Gateway',
    );
  });

  it('lets a caller-provided hint replace the default advice', () => {
    expect(registryFailure({ ...ctx, status: 401, body: body(''), hint: 'Check the token' }).message).toMatch(/\. Check the token$/);
  });
});

describe('manifestMediaType', () => {
  const index = body({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] });
  it('prefers a manifest Content-Type, ignoring parameters', () => {
    expect(manifestMediaType(DOCKER_MANIFEST, index)).toBe(DOCKER_MANIFEST);
    expect(manifestMediaType(`${OCI_INDEX}; charset=utf-8`, index)).toBe(OCI_INDEX);
  });
  it('falls back to the mediaType field when the header is generic or missing', () => {
    expect(manifestMediaType('application/json', index)).toBe(OCI_INDEX);
    expect(manifestMediaType(null, index)).toBe(OCI_INDEX);
  });
  it('keeps an unknown specific header, and gives up on nothing usable', () => {
    expect(manifestMediaType('application/vnd.example.custom+json', body('{}'))).toBe('application/vnd.example.custom+json');
    expect(manifestMediaType('application/json', body('{}'))).toBeUndefined();
    expect(manifestMediaType(null, body('not json'))).toBeUndefined();
  });
});
