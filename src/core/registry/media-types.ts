/** The manifest media types greenline moves between tags. Other types are passed through untouched. */
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

/**
 * Every type is listed: distribution 2.8 and GHCR answer 404 for an OCI index that was not asked for, and
 * distribution rewrites a Docker list to one child when the list type is missing (REFERENCE.md).
 */
export const MANIFEST_ACCEPT = [OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST].join(', ');

const KNOWN = new Set([OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST]);

export function isKnownManifestType(mediaType: string): boolean {
  return KNOWN.has(mediaType);
}

export function isIndexType(mediaType: string): boolean {
  return mediaType === OCI_INDEX || mediaType === DOCKER_LIST;
}

/**
 * The media type to PUT back: the Content-Type the registry served when it is a manifest type, else the
 * manifest's own `mediaType` field (some registries answer application/json or octet-stream).
 */
export function manifestMediaType(contentType: string | null, bytes: Buffer): string | undefined {
  const header = contentType?.split(';')[0]?.trim();
  if (header && isKnownManifestType(header)) return header;
  const field = mediaTypeField(bytes);
  if (field) return field;
  if (header && header !== 'application/json' && header !== 'application/octet-stream' && header !== 'text/plain') return header;
  return undefined;
}

function mediaTypeField(bytes: Buffer): string | undefined {
  try {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    if (parsed && typeof parsed === 'object' && 'mediaType' in parsed && typeof parsed.mediaType === 'string') {
      return parsed.mediaType;
    }
  } catch {
    // Not JSON: the caller reports that it is not a manifest.
  }
  return undefined;
}
