import { createHash, randomBytes } from 'node:crypto';
import type { TestRegistry } from './registry.js';

export const FIXTURE_KINDS = ['oci-index', 'docker-list', 'docker-manifest', 'oci-whitespace', 'oci-large'] as const;
export type FixtureKind = (typeof FIXTURE_KINDS)[number];

export interface PushedManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
}

export interface Fixture extends PushedManifest {
  kind: FixtureKind;
  repository: string;
  tag: string;
  /** Child manifests of an index or list, in the order listed (for oci-index: amd64, arm64, attestation). */
  children: PushedManifest[];
  blobs: string[];
}

export interface FixtureOptions {
  repository?: string;
  tag?: string;
  /** oci-large: total manifest size in bytes (distribution's limit is 4 MiB). */
  sizeBytes?: number;
  /** oci-index: annotations of the index itself (e.g. org.opencontainers.image.revision, as buildx writes it). */
  annotations?: Record<string, string>;
}

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip';
const IN_TOTO = 'application/vnd.in-toto+json';

const digestOf = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string; variant?: string };
  annotations?: Record<string, string>;
}

/**
 * Pushes one fixture straight over HTTP (blob upload, then manifests children first), independent of the
 * client under test, and returns exactly the bytes pushed.
 */
export async function pushFixture(registry: TestRegistry, kind: FixtureKind, options: FixtureOptions = {}): Promise<Fixture> {
  const repository = options.repository ?? `fixtures/${kind}`;
  const tag = options.tag ?? `candidate-${randomBytes(4).toString('hex')}`;
  const p = new Pusher(registry, repository);
  const children: PushedManifest[] = [];
  let top: PushedManifest;
  if (kind === 'oci-index') {
    const amd64 = await p.image('oci', 'amd64');
    const arm64 = await p.image('oci', 'arm64');
    const attestation = await p.attestation();
    children.push(amd64, arm64, attestation);
    top = await p.manifest(
      OCI_INDEX,
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [
          { ...desc(amd64), platform: { architecture: 'amd64', os: 'linux' } },
          { ...desc(arm64), platform: { architecture: 'arm64', os: 'linux' } },
          {
            ...desc(attestation),
            annotations: { 'vnd.docker.reference.digest': amd64.digest, 'vnd.docker.reference.type': 'attestation-manifest' },
            platform: { architecture: 'unknown', os: 'unknown' },
          },
        ],
        ...(options.annotations ? { annotations: options.annotations } : {}),
      }),
      tag,
    );
  } else if (kind === 'docker-list') {
    const amd64 = await p.image('docker', 'amd64');
    const arm64 = await p.image('docker', 'arm64');
    children.push(amd64, arm64);
    top = await p.manifest(
      DOCKER_LIST,
      JSON.stringify(
        {
          schemaVersion: 2,
          mediaType: DOCKER_LIST,
          manifests: [
            { ...desc(amd64), platform: { architecture: 'amd64', os: 'linux' } },
            { ...desc(arm64), platform: { architecture: 'arm64', os: 'linux', variant: 'v8' } },
          ],
        },
        null,
        3, // docker's own indentation
      ),
      tag,
    );
  } else if (kind === 'docker-manifest') {
    top = await p.image('docker', 'amd64', tag);
  } else if (kind === 'oci-whitespace') {
    const { config, layer } = await p.blobsFor('oci', 'amd64');
    // Tabs, CRLF, spaces before colons, mediaType last: any re-serialisation changes the digest.
    const text =
      `{\n\t"layers" :\t[ {\n   "size" : ${layer.size} ,"digest":"${layer.digest}",  "mediaType" : "${OCI_LAYER}"} ],\r\n` +
      `\t"config"   :  {"digest" : "${config.digest}", "mediaType":"${OCI_CONFIG}", "size":${config.size}},\n` +
      ` "annotations": {"org.example.note" : "spaced  out\\u0020text"},\n` +
      `"schemaVersion" :2 ,  "mediaType"  : "${OCI_MANIFEST}"\n}\n`;
    top = await p.manifest(OCI_MANIFEST, text, tag);
  } else {
    const { config, layer } = await p.blobsFor('oci', 'amd64');
    const skeleton = (padding: string) =>
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: desc(config),
        layers: [desc(layer)],
        annotations: { 'org.example.padding': padding },
      });
    const target = options.sizeBytes ?? 4_000_000;
    top = await p.manifest(OCI_MANIFEST, skeleton('x'.repeat(Math.max(0, target - skeleton('').length))), tag);
  }
  return { kind, repository, tag, ...top, children, blobs: p.blobs };
}

/** PUTs manifest bytes already in the registry under another tag (a reproducible build of a new commit). */
export async function tagManifest(registry: TestRegistry, repository: string, manifest: PushedManifest, tag: string): Promise<void> {
  await new Pusher(registry, repository).manifest(manifest.mediaType, manifest.bytes.toString('utf8'), tag);
}

export interface RawManifest {
  status: number;
  bytes: Buffer;
  contentType: string | null;
  digestHeader: string | null;
}

/** Reads a manifest without the client under test, with the full Accept list, for byte-for-byte comparisons. */
export async function getManifestRaw(registry: TestRegistry, repository: string, reference: string): Promise<RawManifest> {
  const headers: Record<string, string> = { Accept: [OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST].join(', ') };
  const auth = await registry.authHeader(repository);
  if (auth) headers.Authorization = auth;
  const res = await fetch(`${registry.url}/v2/${repository}/manifests/${reference}`, { headers });
  return {
    status: res.status,
    bytes: Buffer.from(await res.arrayBuffer()),
    contentType: res.headers.get('content-type'),
    digestHeader: res.headers.get('docker-content-digest'),
  };
}

function desc(m: PushedManifest | Descriptor): Descriptor {
  return { mediaType: m.mediaType, digest: m.digest, size: 'size' in m ? m.size : m.bytes.length };
}

class Pusher {
  readonly blobs: string[] = [];
  private readonly registry: TestRegistry;
  private readonly repository: string;

  constructor(registry: TestRegistry, repository: string) {
    this.registry = registry;
    this.repository = repository;
  }

  async blobsFor(format: 'oci' | 'docker', arch: string): Promise<{ config: Descriptor; layer: Descriptor }> {
    const layerBytes = randomBytes(64 + Math.floor(Math.random() * 192));
    const layer = await this.blob(format === 'oci' ? OCI_LAYER : DOCKER_LAYER, layerBytes);
    const configBytes = Buffer.from(
      JSON.stringify({ architecture: arch, os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [digestOf(layerBytes)] } }),
    );
    const config = await this.blob(format === 'oci' ? OCI_CONFIG : DOCKER_CONFIG, configBytes);
    return { config, layer };
  }

  /** A single-platform image manifest; pushed by digest unless a tag is given. */
  async image(format: 'oci' | 'docker', arch: string, tag?: string): Promise<PushedManifest> {
    const { config, layer } = await this.blobsFor(format, arch);
    const mediaType = format === 'oci' ? OCI_MANIFEST : DOCKER_MANIFEST;
    const text = JSON.stringify({ schemaVersion: 2, mediaType, config, layers: [layer] }, null, format === 'docker' ? 3 : undefined);
    return this.manifest(mediaType, text, tag);
  }

  /** What buildx pushes next to the images: an in-toto statement wrapped in an OCI manifest. */
  async attestation(): Promise<PushedManifest> {
    const statement = Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v0.1', predicateType: 'https://spdx.dev/Document', subject: [] }));
    const layer = await this.blob(IN_TOTO, statement);
    const config = await this.blob(OCI_CONFIG, Buffer.from(JSON.stringify({ architecture: 'unknown', os: 'unknown', config: {}, rootfs: { type: 'layers', diff_ids: [digestOf(statement)] } })));
    const text = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config,
      layers: [{ ...layer, annotations: { 'in-toto.io/predicate-type': 'https://spdx.dev/Document' } }],
    });
    return this.manifest(OCI_MANIFEST, text);
  }

  async blob(mediaType: string, bytes: Buffer): Promise<Descriptor> {
    const digest = digestOf(bytes);
    const start = await this.request('POST', `${this.registry.url}/v2/${this.repository}/blobs/uploads/`);
    const location = start.headers.get('location');
    if (start.status !== 202 || !location) throw new Error(`blob upload start: HTTP ${start.status} ${await start.text()}`);
    const url = new URL(location, this.registry.url);
    url.searchParams.set('digest', digest);
    const done = await this.request('PUT', url.toString(), bytes, 'application/octet-stream');
    if (done.status !== 201) throw new Error(`blob upload ${digest}: HTTP ${done.status} ${await done.text()}`);
    this.blobs.push(digest);
    return { mediaType, digest, size: bytes.length };
  }

  async manifest(mediaType: string, text: string, tag?: string): Promise<PushedManifest> {
    const bytes = Buffer.from(text, 'utf8');
    const digest = digestOf(bytes);
    const res = await this.request('PUT', `${this.registry.url}/v2/${this.repository}/manifests/${tag ?? digest}`, bytes, mediaType);
    if (res.status !== 201) throw new Error(`manifest PUT ${tag ?? digest}: HTTP ${res.status} ${await res.text()}`);
    if (res.headers.get('docker-content-digest') !== digest) throw new Error(`manifest PUT ${tag ?? digest}: registry digest differs`);
    return { digest, mediaType, bytes };
  }

  private async request(method: string, url: string, body?: Buffer, contentType?: string): Promise<Response> {
    const headers: Record<string, string> = {};
    const auth = await this.registry.authHeader(this.repository);
    if (auth) headers.Authorization = auth;
    if (contentType) headers['Content-Type'] = contentType;
    const res = await fetch(url, { method, headers, body });
    if (res.status >= 200 && res.status < 300) await res.arrayBuffer().catch(() => undefined);
    return res;
  }
}
