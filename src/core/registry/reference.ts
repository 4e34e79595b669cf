import { createHash } from 'node:crypto';
import { ConfigurationError } from '../action/errors.js';

/** OCI distribution-spec tag grammar. */
export const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
export const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;

export type Reference = { kind: 'tag'; tag: string; text: string } | { kind: 'digest'; digest: string; text: string };

/**
 * A tag or a sha256 digest. Errors leave out the input name: the caller prefixes it
 * (`Input "source": ...`). Only sha256 is accepted because it is the only digest greenline can verify.
 */
export function parseReference(text: string): Reference {
  const t = text.trim();
  if (t === '') throw new ConfigurationError('must not be empty');
  if (t.includes(':')) {
    if (DIGEST_PATTERN.test(t)) return { kind: 'digest', digest: t, text: t };
    if (/^(sha384|sha512|blake3):/.test(t)) {
      throw new ConfigurationError(`${JSON.stringify(t)}: only sha256 digests are supported`);
    }
    throw new ConfigurationError(`${JSON.stringify(t)} is not a valid digest (expected sha256: followed by 64 lowercase hex digits)`);
  }
  if (TAG_PATTERN.test(t)) return { kind: 'tag', tag: t, text: t };
  throw new ConfigurationError(
    `${JSON.stringify(t)} is not a valid tag (letters, digits, _ . -; at most 128; must not start with . or -)`,
  );
}

/** Checks one target tag; same message style as parseReference. */
export function parseTag(text: string): string {
  const ref = parseReference(text);
  if (ref.kind !== 'tag') throw new ConfigurationError(`${JSON.stringify(text)} is a digest, not a tag`);
  return ref.tag;
}

export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}
