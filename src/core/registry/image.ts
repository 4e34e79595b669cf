import { ConfigurationError } from '../action/errors.js';

/** Where an image lives: `registry` is the host[:port] spoken to, `repository` the name inside it. */
export interface ImageRef {
  registry: string;
  repository: string;
}

// distribution/reference grammar: lowercase path components separated by '/'.
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;
const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/**
 * Parses `ghcr.io/owner/app` (no tag, no digest). Errors leave out the input name: the caller prefixes
 * `Input "image": `. A first component with a dot, a colon or `localhost` is a registry (docker's rule);
 * otherwise the image is on Docker Hub.
 */
export function parseImage(text: string): ImageRef {
  const t = text.trim();
  if (t === '') throw new ConfigurationError('must not be empty');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(t)) {
    throw new ConfigurationError(`${JSON.stringify(t)} must not include a URL scheme (write it as registry/owner/name)`);
  }
  if (t.includes('@')) throw new ConfigurationError(`${JSON.stringify(t)} must not include a tag or digest; use the source input`);
  const slash = t.indexOf('/');
  const first = slash === -1 ? '' : t.slice(0, slash);
  const hasRegistry = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  let registry = hasRegistry ? first.toLowerCase() : 'docker.io';
  let repository = hasRegistry ? t.slice(slash + 1) : t;
  const lastComponent = repository.slice(repository.lastIndexOf('/') + 1);
  if (lastComponent.includes(':')) {
    throw new ConfigurationError(`${JSON.stringify(t)} must not include a tag; use the source input`);
  }
  if (hasRegistry && !HOST.test(registry)) throw new ConfigurationError(`${JSON.stringify(first)} is not a valid registry host`);
  if (repository === '') throw new ConfigurationError(`${JSON.stringify(t)} has no repository name`);
  if (/[A-Z]/.test(repository)) {
    throw new ConfigurationError(`${JSON.stringify(t)}: repository names must be lowercase`);
  }
  const bad = repository.split('/').find((c) => !COMPONENT.test(c));
  if (bad !== undefined) {
    throw new ConfigurationError(
      `${JSON.stringify(t)} has an invalid repository component ${JSON.stringify(bad)} (lowercase letters, digits, and . _ - between them)`,
    );
  }
  if (repository.length > 255) throw new ConfigurationError(`${JSON.stringify(t)}: repository name longer than 255 characters`);
  if (DOCKER_HUB.has(registry)) {
    registry = 'registry-1.docker.io';
    if (!repository.includes('/')) repository = `library/${repository}`;
  }
  return { registry, repository };
}

/**
 * The image with its repository part in lowercase. Registries only hold lowercase repository names, and
 * `ghcr.io/${{ github.repository }}` keeps the owner's case (`ghcr.io/Acme/App` is `ghcr.io/acme/app` on
 * GHCR, as docker/metadata-action also writes it), so there is exactly one thing an uppercase name can mean.
 * The registry part is left alone: parseImage lowercases the host itself.
 */
export function lowercaseRepository(text: string): string {
  const t = text.trim();
  const slash = t.indexOf('/');
  const first = slash === -1 ? '' : t.slice(0, slash);
  const hasRegistry = first !== '' && (first.includes('.') || first.includes(':') || first === 'localhost');
  return hasRegistry ? `${first}/${t.slice(slash + 1).toLowerCase()}` : t.toLowerCase();
}

/** Hosts that are spoken to over plain HTTP without `insecure`: a registry on the same machine. */
export function isLoopbackHost(registry: string): boolean {
  const host = hostOf(registry);
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

export function hostOf(registry: string): string {
  if (registry.startsWith('[')) return registry.slice(1, registry.indexOf(']'));
  return registry.replace(/:\d+$/, '').toLowerCase();
}

export function registryBaseUrl(registry: string, insecure = false): string {
  return `${insecure || isLoopbackHost(registry) ? 'http' : 'https'}://${registry}`;
}

export function formatImage(image: ImageRef): string {
  return `${image.registry}/${image.repository}`;
}
