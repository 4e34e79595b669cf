import type { Logger } from '../../core/action/log.js';
import { RegistryAccessError, type Manifest } from '../../core/registry/index.js';
import type { PromoteRegistry } from './main.js';

/**
 * The tags a build of commit `sha` is commonly pushed under, besides the full SHA: docker/metadata-action's
 * `type=sha` writes `sha-<7>` (its default) or `sha-<40>` (format=long), and many hand-written workflows use
 * the short SHA alone. GitHub expressions cannot cut a string, so a user of metadata-action could not
 * otherwise name that tag from `${{ github.sha }}`.
 */
export function commitTagAliases(sha: string): string[] {
  return [`sha-${sha.slice(0, 7)}`, `sha-${sha}`, sha.slice(0, 7)];
}

/**
 * GET the source manifest by tag. When the tag is a full commit SHA the registry does not have, the common
 * aliases of that commit's tag are tried (one HEAD each, only on this path) and the one found is said in the
 * log; when none exists the error lists what was tried.
 */
export async function getSourceByTag(registry: PromoteRegistry, tag: string, log: Logger): Promise<Manifest> {
  try {
    return await registry.getManifest(tag);
  } catch (error) {
    if (!(error instanceof RegistryAccessError && error.status === 404) || !/^[0-9a-f]{40}$/.test(tag)) throw error;
    const aliases = commitTagAliases(tag);
    for (const alias of aliases) {
      if ((await registry.resolveDigest(alias)) === undefined) continue;
      log.info(`Source: no tag ${tag}; using ${alias}, the same commit's tag as docker/metadata-action or a short SHA names it`);
      return registry.getManifest(alias);
    }
    throw new RegistryAccessError(`${error.message} (also tried ${aliases.join(', ')})`, error.status, error.codes);
  }
}
