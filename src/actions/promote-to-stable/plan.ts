import { ConfigurationError } from '../../core/action/errors.js';

export const TAG_RE = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
export const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

/** What `source` asks for, decided before any request is made. */
export type SourceSpec =
  | { kind: 'tag'; tag: string }
  | { kind: 'digest'; digest: string }
  | { kind: 'ledger-previous' }
  | { kind: 'ledger'; key: string };

export function parseSource(source: string): SourceSpec {
  const s = source.trim();
  if (s === '') throw new ConfigurationError('Input "source": is empty (and no commit SHA to default to)');
  if (s === 'ledger:previous') return { kind: 'ledger-previous' };
  if (s.startsWith('ledger:')) {
    const key = s.slice('ledger:'.length).trim();
    if (!key) throw new ConfigurationError('Input "source": ledger: needs previous, a version or a commit SHA (ledger:previous, ledger:v1.2.0, ledger:611b29b)');
    return { kind: 'ledger', key };
  }
  if (s.startsWith('sha256:')) {
    if (!DIGEST_RE.test(s)) throw new ConfigurationError(`Input "source": ${JSON.stringify(s)} is not a valid digest (sha256: followed by 64 lowercase hex characters)`);
    return { kind: 'digest', digest: s };
  }
  if (s.includes('@') || s.includes(':') || s.includes('/')) {
    throw new ConfigurationError(`Input "source": ${JSON.stringify(s)} must be a tag, a sha256: digest, ledger:previous or ledger:<version or sha>`);
  }
  if (!TAG_RE.test(s)) throw new ConfigurationError(`Input "source": ${JSON.stringify(s)} is not a valid tag`);
  return { kind: 'tag', tag: s };
}

export function validateTags(tags: string[]): string[] {
  if (tags.length === 0) throw new ConfigurationError('Input "tags": must name at least one tag (e.g. stable,latest)');
  for (const t of tags) {
    if (!TAG_RE.test(t)) throw new ConfigurationError(`Input "tags": ${JSON.stringify(t)} is not a valid tag ([A-Za-z0-9_][A-Za-z0-9._-]{0,127})`);
  }
  return [...new Set(tags)];
}

/** A git tag name as `git check-ref-format` would accept it (the common rules). */
export function validateGitTag(tag: string): string | undefined {
  if (tag === '') return undefined;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what git refuses in ref names
  const bad = /(^[.\-/])|([/.]$)|(\.\.)|([\s~^:?*[\\\x00-\x1f\x7f])|(@\{)|(\/\/)|(\.lock$)|(\/\.)/.test(tag) || tag === '@';
  if (bad) throw new ConfigurationError(`Input "git-tag": ${JSON.stringify(tag)} is not a valid git tag name`);
  // `refs/heads/x` would become refs/tags/refs/heads/x, and HEAD is what every git command reads first.
  if (/^(refs|heads|tags|remotes)\//.test(tag) || tag === 'HEAD') {
    throw new ConfigurationError(`Input "git-tag": ${JSON.stringify(tag)} is not a tag name (give the short name, e.g. stable)`);
  }
  return tag;
}
