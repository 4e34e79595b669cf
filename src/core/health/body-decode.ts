import type { Transform } from 'node:stream';
import * as zlib from 'node:zlib';

/**
 * Turning the bytes of an answer into the text the body rules read. Two things real services do even though
 * the gate never asks for them: send a body compressed (pre-compressed objects on S3 / CloudFront keep their
 * `Content-Encoding: gzip` whatever the request said), and send it in a legacy charset (ISO-8859-1 from an
 * old Java service, Shift_JIS). Judging the raw bytes would fail a healthy service with "not JSON".
 */

/**
 * A decompressor for a Content-Encoding, `null` for identity (or none), `undefined` for an encoding Node
 * cannot decode (the bytes are then judged as they came, which is what happened before).
 */
export function decoderFor(contentEncoding: string | undefined): Transform | null | undefined {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  if (codings.length === 0) return null;
  // Stacked codings (`gzip, br`) are legal but never seen in practice; one is decoded, more are left alone.
  if (codings.length > 1) return undefined;
  switch (codings[0]) {
    case 'gzip':
    case 'x-gzip':
    case 'deflate':
      // Unzip reads both the gzip and the zlib wrapper: servers label either as "deflate".
      return zlib.createUnzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH });
    case 'br':
      return zlib.createBrotliDecompress({ finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH });
    case 'zstd': {
      const zstd = (zlib as { createZstdDecompress?: () => Transform }).createZstdDecompress;
      return zstd ? zstd() : undefined;
    }
    default:
      return undefined;
  }
}

/** The charset named by a Content-Type (`text/html; charset="ISO-8859-1"`), lower-cased, if any. */
export function charsetOf(contentType: string | undefined): string | undefined {
  const m = /;\s*charset\s*=\s*("?)([^";\s]+)\1/i.exec(contentType ?? '');
  return m ? m[2]!.toLowerCase() : undefined;
}

/**
 * The body as text: in the Content-Type's charset when Node knows it (WHATWG labels, full ICU), else UTF-8.
 * A UTF-8 byte-order mark is dropped, so a JSON body that starts with one still parses.
 */
export function decodeText(bytes: Buffer, contentType: string | undefined): string {
  const charset = charsetOf(contentType) ?? 'utf-8';
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    // A label Node does not know (a typo, x-made-up): UTF-8, as before.
    return new TextDecoder('utf-8').decode(bytes);
  }
}
