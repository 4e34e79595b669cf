import type { Logger } from '../../core/action/log.js';
import type { Manifest } from '../../core/registry/index.js';
import type { PromoteRegistry } from './main.js';
import type { SourceSpec } from './plan.js';

const REVISION = 'org.opencontainers.image.revision';
const FULL = /^[0-9a-f]{40}$/;
const SHORT = /^[0-9a-f]{7,40}$/;

/**
 * The commit a source tag names, as the common build workflows tag images: the full SHA, docker/metadata-
 * action's `sha-<7>` / `sha-<40>`, or a short SHA alone. `full` only for 40 hex digits; a shorter one is a
 * `prefix` to be completed (the image's revision annotation, the event's commit) before it is believed.
 */
export function commitFromTag(tag: string): { full?: string; prefix?: string } {
  const t = tag.toLowerCase().replace(/^sha-/, '');
  if (FULL.test(t)) return { full: t };
  // A short SHA needs a letter and a digit in it: `1234567` or `release` alone are not commit names.
  if (SHORT.test(t) && /\d/.test(t) && /[a-f]/.test(t)) return { prefix: t };
  return {};
}

function annotationsOf(value: unknown): Record<string, unknown> | undefined {
  const a = value && typeof value === 'object' ? (value as { annotations?: unknown }).annotations : undefined;
  return a && typeof a === 'object' ? (a as Record<string, unknown>) : undefined;
}

function revisionIn(value: unknown): string | undefined {
  const r = annotationsOf(value)?.[REVISION];
  return typeof r === 'string' && SHORT.test(r.trim().toLowerCase()) ? r.trim().toLowerCase() : undefined;
}

/**
 * The `org.opencontainers.image.revision` annotation of a manifest: on the manifest itself, or for an index
 * without one, on its first platform image's descriptor or manifest (one more GET). Attestation entries
 * (`unknown/unknown`) are not images. Labels in the image config are not read (that would be a blob GET).
 */
export async function revisionAnnotation(manifest: Manifest, registry: PromoteRegistry, log: Logger): Promise<string | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(manifest.bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  const own = revisionIn(parsed);
  if (own) return own;
  const children = (parsed as { manifests?: unknown }).manifests;
  if (!Array.isArray(children)) return undefined;
  const image = children.find((d: unknown) => {
    const desc = d as { platform?: { os?: string }; annotations?: Record<string, unknown>; digest?: unknown };
    return typeof desc?.digest === 'string' && desc.platform?.os !== 'unknown' && !desc.annotations?.['vnd.docker.reference.type'];
  }) as { digest: string } | undefined;
  if (!image) return undefined;
  const onDescriptor = revisionIn(image);
  if (onDescriptor) return onDescriptor;
  try {
    const child = await registry.getManifest(image.digest);
    return revisionIn(JSON.parse(child.bytes.toString('utf8')));
  } catch (error) {
    log.debug(`revision annotation: could not read ${image.digest}: ${(error as Error).message}`);
    return undefined;
  }
}

/**
 * The commit whose image is promoted (what the ledger entry and the git tag name), in order: a commit-named
 * source tag; the image's revision annotation; the event's commit. A short SHA from the tag is completed by
 * the annotation or the event's commit when they start with it, else written as it is.
 */
export async function promotedCommit(
  source: SourceSpec,
  manifest: Manifest,
  eventCommit: string,
  registry: PromoteRegistry,
  log: Logger,
): Promise<{ commit: string; from: string }> {
  const named = source.kind === 'tag' ? commitFromTag(source.tag) : {};
  if (named.full) return { commit: named.full, from: `source tag ${source.kind === 'tag' ? source.tag : ''}` };
  const revision = await revisionAnnotation(manifest, registry, log);
  if (named.prefix) {
    if (revision?.startsWith(named.prefix)) return { commit: revision, from: `the image's ${REVISION} annotation` };
    if (eventCommit.toLowerCase().startsWith(named.prefix)) return { commit: eventCommit.toLowerCase(), from: "the event's commit" };
    return { commit: named.prefix, from: 'source tag' };
  }
  if (revision) return { commit: revision, from: `the image's ${REVISION} annotation` };
  return { commit: eventCommit, from: "the event's commit" };
}
