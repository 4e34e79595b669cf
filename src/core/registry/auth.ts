import type { Logger } from '../action/log.js';
import { findChallenge, mergeScopes, parseChallenges, type Challenge } from './challenge.js';
import { RegistryAccessError, RegistryError, isGhcr, registryFailure } from './errors.js';
import type { RawResponse } from './http.js';
import { isLoopbackHost } from './image.js';

export interface Credentials {
  username: string;
  password: string;
}

export interface AuthOptions {
  registry: string;
  /** Where the registry is spoken to; GHCR's token endpoint is `<baseUrl>/token`. */
  baseUrl: string;
  credentials: Credentials | undefined;
  /** Scopes asked for up front (`repository:<name>:pull,push`) so one token serves GET and PUT. */
  scopes: string[];
  insecure: boolean;
  log: Logger;
  mask: (secret: string) => void;
  /** Sends the token request through the client's counted, retrying transport. */
  get: (url: string, headers: Record<string, string>) => Promise<RawResponse>;
}

/**
 * Holds the Authorization header for one client and renews it from 401 challenges. Renewal is
 * single-flight: parallel PUTs that all meet a 401 share one token request.
 */
export class Authenticator {
  private header: string | undefined;
  /** The GHCR shortcut header while it is in use; kept afterwards to recognise answers to requests sent with it. */
  private shortcutHeader: string | undefined;
  private shortcut = false;
  private pending: Promise<boolean> | undefined;

  private readonly o: AuthOptions;

  constructor(o: AuthOptions) {
    this.o = o;
    if (o.credentials && isGhcr(o.registry)) {
      // GHCR accepts the GitHub token itself, base64-encoded, as a Bearer token: no token round trip.
      const encoded = Buffer.from(o.credentials.password).toString('base64');
      o.mask(encoded);
      this.header = `Bearer ${encoded}`;
      this.shortcutHeader = this.header;
      this.shortcut = true;
    }
  }

  current(): string | undefined {
    return this.header;
  }

  /** The GHCR shortcut answers 403 rather than 401 when it is not accepted: that also means "try the challenge". */
  wantsRenewal(status: number, sent: string | undefined): boolean {
    return status === 401 || (status === 403 && sent !== undefined && sent === this.shortcutHeader);
  }

  /** Reacts to a 401 (or a refused shortcut). True when a new header is ready and the request should be sent again. */
  async renew(res: RawResponse, sent: string | undefined): Promise<boolean> {
    if (this.pending) return this.pending; // join the renewal under way
    if (this.header !== sent) return true; // another request renewed it meanwhile
    const renewal = this.negotiate(res, sent).finally(() => {
      this.pending = undefined;
    });
    this.pending = renewal;
    return renewal;
  }

  private async negotiate(res: RawResponse, sent: string | undefined): Promise<boolean> {
    const challenges = parseChallenges(res.headers.get('www-authenticate'));
    let bearer = findChallenge(challenges, 'bearer');
    if (this.shortcut) {
      this.shortcut = false;
      this.header = undefined;
      this.o.log.debug(`registry ${this.o.registry}: the Bearer shortcut was refused (HTTP ${res.status}); using the token flow`);
      // GHCR answers a refused token with DENIED and no challenge: its token endpoint is well known.
      bearer ??= { scheme: 'Bearer', params: { realm: `${this.o.baseUrl}/token`, service: 'ghcr.io' } };
    }
    if (bearer?.params.realm) {
      const token = await this.fetchToken(bearer, res.url || this.o.baseUrl);
      this.header = `Bearer ${token}`;
      return this.header !== sent;
    }
    const basic = findChallenge(challenges, 'basic');
    // A 401 with no challenge at all (some proxies and registries strip or never send WWW-Authenticate):
    // the credentials are the registry's own, so offer them to it as Basic, the one scheme needing no hint.
    const unchallenged = challenges.length === 0 && res.status === 401 && sent === undefined;
    if ((basic || unchallenged) && this.o.credentials) {
      if (unchallenged) this.o.log.debug(`registry ${this.o.registry}: HTTP 401 without a WWW-Authenticate challenge; trying Basic`);
      const encoded = Buffer.from(`${this.o.credentials.username}:${this.o.credentials.password}`).toString('base64');
      const header = `Basic ${encoded}`;
      if (header === sent) return false;
      this.o.mask(encoded);
      this.header = header;
      return true;
    }
    return false;
  }

  private async fetchToken(challenge: Challenge, challengedUrl: string): Promise<string> {
    const realm = parseRealm(challenge.params.realm!, challengedUrl, this.o.registry);
    const url = new URL(realm);
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    const asked = challenge.params.scope ? challenge.params.scope.split(' ').filter(Boolean) : [];
    for (const scope of mergeScopes(this.o.scopes, asked)) url.searchParams.append('scope', scope);
    const headers: Record<string, string> = { Accept: 'application/json' };
    const creds = this.o.credentials;
    if (creds) {
      if (url.protocol !== 'https:' && !this.o.insecure && !isLoopbackHost(url.host)) {
        throw new RegistryAccessError(
          `registry ${this.o.registry}: refusing to send credentials to the non-HTTPS token realm ${url.origin}`,
          undefined,
        );
      }
      headers.Authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    }
    const res = await this.o.get(url.toString(), headers);
    const where = `token request to ${url.origin}${url.pathname} for registry ${this.o.registry}`;
    if (res.status !== 200) {
      const hint = res.status !== 401 ? undefined : creds ? 'Check the username and password' : 'The registry needs a username and password';
      throw registryFailure({ action: where, host: this.o.registry, status: res.status, statusText: res.statusText, body: res.body, hint });
    }
    const token = readToken(res.body);
    if (token === undefined) {
      const type = res.headers.get('content-type')?.split(';')[0]?.trim() || 'no content type';
      throw new RegistryError(`${where}: HTTP 200 but the answer is not JSON (${type}): not a token service, or a proxy or login page in front of it`, res.status);
    }
    if (!token) throw new RegistryError(`${where}: the answer has no "token" or "access_token"`, res.status);
    this.o.mask(token);
    this.o.log.debug(`registry ${this.o.registry}: got a token for ${url.searchParams.getAll('scope').join(' ')}`);
    return token;
  }
}

/**
 * The realm as an absolute URL. A relative realm (`/v2/token`, as some self-hosted registries send) is resolved
 * against the URL that was challenged, so it stays on the registry's own host.
 */
function parseRealm(realm: string, challengedUrl: string, registry: string): string {
  try {
    const url = new URL(realm, challengedUrl);
    if (url.protocol === 'https:' || url.protocol === 'http:') return url.toString();
  } catch {
    // reported below
  }
  throw new RegistryError(`registry ${registry}: the auth challenge has an unusable realm ${JSON.stringify(realm)}`, 401);
}

/** The token; `''` when the answer is JSON without one, undefined when it is not a JSON object at all. */
function readToken(body: Buffer): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const token = (json as Record<string, unknown>).token || (json as Record<string, unknown>).access_token;
  return typeof token === 'string' ? token : '';
}
