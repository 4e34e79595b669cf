import { ExternalError } from '../action/errors.js';
import { silentLogger, type Logger } from '../action/log.js';
import { backoffDelay, retryAfterMs, sleep } from '../util/retry.js';
import { Authenticator, type Credentials } from './auth.js';
import { findChallenge, parseChallenges } from './challenge.js';
import { RegistryError, registryFailure } from './errors.js';
import { exchange, isTransientNetworkError, networkReason, type RawResponse } from './http.js';
import { formatImage, parseImage, registryBaseUrl, type ImageRef } from './image.js';
import { MANIFEST_ACCEPT, manifestMediaType } from './media-types.js';
import { DIGEST_PATTERN, parseReference, parseTag, sha256Digest, type Reference } from './reference.js';

export interface RegistryClientOptions {
  /** `ghcr.io/owner/app` or an already parsed image. */
  image: ImageRef | string;
  username?: string;
  /** A password or token; with an empty username the user name sent is `greenline`. */
  password?: string;
  /** Plain HTTP for a non-loopback registry. */
  insecure?: boolean;
  /**
   * Where requests go instead of the registry's own URL (a proxy, a test stand-in); the registry name still
   * decides auth behaviour (the ghcr.io shortcut) and appears in messages.
   */
  endpoint?: string;
  log?: Logger;
  /** Called with every secret derived here (tokens, the encoded GHCR shortcut) before it can reach a log. */
  mask?: (secret: string) => void;
  /** Actions asked for in the token scope; default pull and push so one token serves GET and PUT. */
  scopeActions?: string[];
  /** Per request, body included. Default 30 s. */
  timeoutMs?: number;
  /** Further attempts after a 429, a 5xx or a broken connection. Default 4. */
  retries?: number;
  /** Full-jitter backoff base and cap, in ms. Defaults 200 and 5000. */
  retryBaseMs?: number;
  retryCapMs?: number;
  /** Longest Retry-After honoured, in ms. Default 60 s. */
  retryAfterCapMs?: number;
  userAgent?: string;
}

/** A manifest exactly as the registry served it: PUT these bytes with this media type, never re-serialise. */
export interface Manifest {
  bytes: Buffer;
  mediaType: string;
  /** `sha256:<hex>` of `bytes`. */
  digest: string;
}

export interface TagResult {
  tag: string;
  ok: boolean;
  digest?: string;
  error?: Error;
}

/** Requests sent on the wire, by method, plus token requests and retries (each retry is also counted by method). */
export interface RequestCounts {
  GET: number;
  HEAD: number;
  PUT: number;
  token: number;
  retries: number;
}

interface Send {
  method: 'GET' | 'HEAD' | 'PUT';
  url: string;
  headers: Record<string, string>;
  body?: Uint8Array;
  /** Token requests carry their own Authorization and are not renewed from challenges. */
  token?: boolean;
}

/**
 * An OCI distribution client for one repository. Keeps its token for its lifetime, retries what is worth
 * retrying, and never rewrites a manifest: the minimal retag is one GET and one PUT per tag.
 */
export class RegistryClient {
  readonly image: ImageRef;
  readonly baseUrl: string;
  private readonly log: Logger;
  private readonly auth: Authenticator;
  private readonly counts: RequestCounts = { GET: 0, HEAD: 0, PUT: 0, token: 0, retries: 0 };
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryBaseMs: number;
  private readonly retryCapMs: number;
  private readonly retryAfterCapMs: number;
  private readonly userAgent: string;

  constructor(options: RegistryClientOptions) {
    this.image = typeof options.image === 'string' ? parseImage(options.image) : options.image;
    this.baseUrl = options.endpoint?.replace(/\/+$/, '') ?? registryBaseUrl(this.image.registry, options.insecure);
    this.log = options.log ?? silentLogger;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = options.retries ?? 4;
    this.retryBaseMs = options.retryBaseMs ?? 200;
    this.retryCapMs = options.retryCapMs ?? 5_000;
    this.retryAfterCapMs = options.retryAfterCapMs ?? 60_000;
    this.userAgent = options.userAgent ?? 'greenline';
    const credentials: Credentials | undefined = options.password
      ? { username: options.username || 'greenline', password: options.password }
      : undefined;
    const actions = options.scopeActions ?? ['pull', 'push'];
    this.auth = new Authenticator({
      registry: this.image.registry,
      baseUrl: this.baseUrl,
      credentials,
      scopes: [`repository:${this.image.repository}:${actions.join(',')}`],
      insecure: options.insecure ?? false,
      log: this.log,
      mask: options.mask ?? (() => {}),
      get: (url, headers) => this.send({ method: 'GET', url, headers, token: true }),
    });
  }

  requestCounts(): RequestCounts {
    return { ...this.counts };
  }

  /** GET by tag or digest with the full Accept list; verifies the digest when fetched by digest. */
  async getManifest(reference: string): Promise<Manifest> {
    const ref = parseReference(reference);
    const res = await this.send({ method: 'GET', url: this.manifestUrl(ref), headers: { Accept: MANIFEST_ACCEPT } });
    if (res.status !== 200) throw this.failure(`GET manifest ${this.describe(ref)}`, res);
    return this.readManifest(ref, res);
  }

  /** HEAD: the digest a tag or digest points at, or undefined when the registry does not have it (404). */
  async resolveDigest(reference: string): Promise<string | undefined> {
    const ref = parseReference(reference);
    const res = await this.send({ method: 'HEAD', url: this.manifestUrl(ref), headers: { Accept: MANIFEST_ACCEPT } });
    if (res.status === 404) return undefined;
    if (res.status !== 200) throw this.failure(`HEAD manifest ${this.describe(ref)}`, res);
    const header = res.headers.get('docker-content-digest');
    if (header && DIGEST_PATTERN.test(header)) {
      if (ref.kind === 'digest' && header !== ref.digest) throw this.mismatch(ref, header);
      return header;
    }
    // Some registries leave the digest out of HEAD answers: hash the body instead.
    return ref.kind === 'digest' ? ref.digest : (await this.getManifest(reference)).digest;
  }

  /** PUTs the identical bytes under a tag (or its own digest); requires 201 and a matching Docker-Content-Digest. */
  async putManifest(reference: string, manifest: Manifest): Promise<{ digest: string }> {
    const ref = parseReference(reference);
    if (ref.kind === 'digest' && ref.digest !== manifest.digest) {
      throw new RegistryError(`cannot PUT a manifest with digest ${manifest.digest} under digest ${ref.digest}`, undefined);
    }
    const res = await this.send({
      method: 'PUT',
      url: this.manifestUrl(ref),
      headers: { 'Content-Type': manifest.mediaType },
      body: manifest.bytes,
    });
    const action = `PUT manifest ${this.describe(ref)}`;
    if (res.status !== 201) {
      if (res.status < 200 || res.status >= 300) throw this.failure(action, res);
      // The spec says 201; some registries and proxies in front of them answer 200 or 202. Believe what the
      // registry serves afterwards, not the status: one HEAD, and the tag must serve exactly our digest.
      const served = await this.resolveDigest(reference);
      if (served !== manifest.digest) {
        throw new RegistryError(`${action}: answered HTTP ${res.status} instead of 201, and the tag serves ${served ?? 'nothing'}, not ${manifest.digest}`, res.status);
      }
      this.log.debug(`${action}: HTTP ${res.status} instead of 201; the tag serves ${manifest.digest}`);
      return { digest: manifest.digest };
    }
    const header = res.headers.get('docker-content-digest');
    if (header && header !== manifest.digest) {
      throw new RegistryError(
        `${action}: the registry stored digest ${header}, not ${manifest.digest}: it changed the manifest`,
        res.status,
      );
    }
    return { digest: manifest.digest };
  }

  /**
   * Points every tag at the manifest, in parallel. Never throws for one tag's failure: the results say which
   * tags moved, so the caller can report partial state. Invalid tags throw before any request.
   */
  async retag(manifest: Manifest, tags: string[]): Promise<TagResult[]> {
    const unique = [...new Set(tags.map((t) => parseTag(t)))];
    return Promise.all(
      unique.map(async (tag): Promise<TagResult> => {
        try {
          const { digest } = await this.putManifest(tag, manifest);
          return { tag, ok: true, digest };
        } catch (error) {
          return { tag, ok: false, error: error instanceof Error ? error : new Error(String(error)) };
        }
      }),
    );
  }

  private readManifest(ref: Reference, res: RawResponse): Manifest {
    const bytes = res.body;
    const digest = sha256Digest(bytes);
    if (ref.kind === 'digest' && digest !== ref.digest) throw this.mismatch(ref, digest);
    const header = res.headers.get('docker-content-digest');
    if (header && header.startsWith('sha256:') && header !== digest) {
      throw new RegistryError(
        `GET manifest ${this.describe(ref)}: Docker-Content-Digest says ${header} but the bytes hash to ${digest}`,
        res.status,
      );
    }
    const mediaType = manifestMediaType(res.headers.get('content-type'), bytes);
    if (!mediaType) {
      throw new RegistryError(`GET manifest ${this.describe(ref)}: the answer is not a manifest (no media type)`, res.status);
    }
    return { bytes, mediaType, digest };
  }

  private mismatch(ref: Reference, got: string): RegistryError {
    return new RegistryError(`GET manifest ${this.describe(ref)}: the registry served content with digest ${got}`, 200);
  }

  private manifestUrl(ref: Reference): string {
    return `${this.baseUrl}/v2/${this.image.repository}/manifests/${ref.text}`;
  }

  private describe(ref: Reference): string {
    return `${formatImage(this.image)}${ref.kind === 'tag' ? ':' : '@'}${ref.text}`;
  }

  private failure(action: string, res: RawResponse): Error {
    if (originOf(res.url) !== originOf(this.baseUrl)) action += ` (redirected to ${originOf(res.url)})`;
    const bearer = findChallenge(parseChallenges(res.headers.get('www-authenticate')), 'bearer');
    return registryFailure({
      action,
      host: this.image.registry,
      status: res.status,
      statusText: res.statusText,
      body: res.body,
      challengeError: bearer?.params.error,
    });
  }

  /** One logical request: auth renewal (at most twice), 429/5xx/network retries with backoff. */
  private async send(req: Send): Promise<RawResponse> {
    let attempt = 0;
    let renewals = 0;
    for (;;) {
      const sent = req.token ? undefined : this.auth.current();
      const headers: Record<string, string> = { 'User-Agent': this.userAgent, ...req.headers };
      if (sent) headers.Authorization = sent;
      const started = Date.now();
      if (req.token) this.counts.token++;
      else this.counts[req.method]++;
      let res: RawResponse;
      try {
        res = await exchange({ method: req.method, url: req.url, headers, body: req.body, timeoutMs: this.timeoutMs });
      } catch (error) {
        const reason = networkReason(error, this.timeoutMs);
        this.log.debug(`registry: ${req.method} ${pathOf(req.url)} failed after ${Date.now() - started} ms: ${reason}`);
        if (attempt < this.retries && isTransientNetworkError(error)) {
          await this.pause(attempt++, `${req.method} ${pathOf(req.url)}: ${reason}`);
          continue;
        }
        throw new ExternalError(`${this.unreachable(req)}: ${reason}`, { cause: error });
      }
      const elsewhere = originOf(res.url) !== originOf(req.url);
      this.log.debug(
        `registry: ${req.method} ${pathOf(req.url)} → ${res.status}${elsewhere ? ` from ${originOf(res.url)}` : ''} (${Date.now() - started} ms)`,
      );
      // Only the registry itself may ask for credentials: a 401 from the host a redirect led to (storage, a CDN)
      // is that host's answer, and its challenge could name any realm.
      if (!req.token && !elsewhere && renewals < 2 && this.auth.wantsRenewal(res.status, sent)) {
        renewals++;
        if (await this.auth.renew(res, sent)) continue;
      }
      const retriable = res.status === 429 || res.status === 502 || res.status === 503 || res.status === 504 || res.status === 500;
      if (retriable && attempt < this.retries) {
        const wait = res.status === 429 ? retryAfterMs(res.headers.get('retry-after'), this.retryAfterCapMs) : undefined;
        await this.pause(attempt++, `${req.method} ${pathOf(req.url)} answered ${res.status}`, wait);
        continue;
      }
      return res;
    }
  }

  private unreachable(req: Send): string {
    const host = new URL(req.url).host;
    if (req.token) return `cannot reach the token service of registry ${this.image.registry} at ${host}`;
    return host === this.image.registry ? `cannot reach registry ${host}` : `cannot reach registry ${this.image.registry} at ${host}`;
  }

  private async pause(attempt: number, why: string, waitMs?: number): Promise<void> {
    const ms = waitMs ?? backoffDelay(attempt, this.retryBaseMs, this.retryCapMs);
    this.counts.retries++;
    this.log.info(`registry ${this.image.registry}: ${why}; retry ${attempt + 1}/${this.retries} in ${ms} ms`);
    await sleep(ms);
  }
}

export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  return new RegistryClient(options);
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

function pathOf(url: string): string {
  const u = new URL(url);
  // The token URL's query holds only service and scope, no secret: keep it for the debug log.
  return u.pathname + u.search;
}
