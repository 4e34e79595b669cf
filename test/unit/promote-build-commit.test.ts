import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/action/log.js';
import type { Manifest } from '../../src/core/registry/index.js';
import { commitFromTag, promotedCommit } from '../../src/actions/promote-to-stable/build-commit.js';
import type { PromoteRegistry } from '../../src/actions/promote-to-stable/main.js';

const FULL = '611b29b362b480a8e6a56848f453ab8a2091e683';
const EVENT = 'e'.repeat(40);
const manifest = (doc: unknown): Manifest => ({ bytes: Buffer.from(JSON.stringify(doc)), mediaType: 'application/vnd.oci.image.index.v1+json', digest: `sha256:${'1'.repeat(64)}` });
const children = new Map<string, Manifest>();
const registry: PromoteRegistry = {
  getManifest: async (ref) => {
    const m = children.get(ref);
    if (!m) throw new Error(`no ${ref}`);
    return m;
  },
  resolveDigest: async () => undefined,
  retag: async () => [],
};

describe('the commit a promotion records', () => {
  it('reads commit-named tags: full SHA, sha-<40>, and only completes short ones', () => {
    expect(commitFromTag(FULL)).toEqual({ full: FULL });
    expect(commitFromTag(`sha-${FULL}`)).toEqual({ full: FULL });
    expect(commitFromTag('sha-611b29b')).toEqual({ prefix: '611b29b' });
    expect(commitFromTag('1234567')).toEqual({});
    expect(commitFromTag('release')).toEqual({});
  });

  it('source tag first, then the revision annotation (index, or its first platform image), then the event', async () => {
    const plain = manifest({ schemaVersion: 2, manifests: [] });
    expect(await promotedCommit({ kind: 'tag', tag: FULL }, plain, EVENT, registry, silentLogger)).toMatchObject({ commit: FULL });
    const annotated = manifest({ schemaVersion: 2, manifests: [], annotations: { 'org.opencontainers.image.revision': FULL } });
    expect(await promotedCommit({ kind: 'digest', digest: annotated.digest }, annotated, EVENT, registry, silentLogger)).toMatchObject({ commit: FULL, from: expect.stringContaining('revision') });
    children.set('sha256:child', manifest({ schemaVersion: 2, annotations: { 'org.opencontainers.image.revision': FULL } }));
    const index = manifest({
      schemaVersion: 2,
      manifests: [
        { digest: 'sha256:attestation', platform: { os: 'unknown', architecture: 'unknown' }, annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } },
        { digest: 'sha256:child', platform: { os: 'linux', architecture: 'amd64' } },
      ],
    });
    expect(await promotedCommit({ kind: 'tag', tag: 'v1.2.0' }, index, EVENT, registry, silentLogger)).toMatchObject({ commit: FULL });
    expect(await promotedCommit({ kind: 'tag', tag: 'sha-611b29b' }, plain, EVENT, registry, silentLogger)).toEqual({ commit: '611b29b', from: 'source tag' });
    expect(await promotedCommit({ kind: 'tag', tag: 'sha-611b29b' }, annotated, EVENT, registry, silentLogger)).toMatchObject({ commit: FULL });
    expect(await promotedCommit({ kind: 'digest', digest: plain.digest }, plain, EVENT, registry, silentLogger)).toEqual({ commit: EVENT, from: "the event's commit" });
  });
});
