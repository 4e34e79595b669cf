/**
 * The third-party actions greenline's workflows and docs may pin, by full commit SHA: each SHA is the commit of
 * that release tag in the action's repository (checked against the repositories' tags when added). A `uses:`
 * whose SHA is not listed here, or whose `# vX` comment names another release, fails the tests: a SHA that is
 * not a release (a typo, a fork's commit) would otherwise look as trustworthy as one that is.
 */
export const PINNED_RELEASES: Record<string, Record<string, string>> = {
  'actions/checkout': {
    '11bd71901bbe5b1630ceea73d27597364c9af683': 'v4.2.2',
    '3d3c42e5aac5ba805825da76410c181273ba90b1': 'v7.0.1',
  },
  'actions/setup-node': { '820762786026740c76f36085b0efc47a31fe5020': 'v7.0.0' },
  'actions/upload-artifact': { bbbca2ddaa5d8feaa63e36b76fdaad77386f024f: 'v7.0.0' },
  'github/codeql-action': { '8aad20d150bbac5944a9f9d289da16a4b0d87c1e': 'v4.36.2' },
  'docker/setup-qemu-action': { '29109295f81e9208d7d86ff1c6c12d2833863392': 'v3.6.0' },
  'docker/setup-buildx-action': { e468171a9de216ec08956ac3ada2f0791b6bd435: 'v3.11.1' },
  'docker/login-action': { '74a5d142397b4f367a81961eba4e8cd7edddf772': 'v3.4.0' },
  'docker/build-push-action': { '263435318d21b8e681c14492fe198d362a7d2c83': 'v6.18.0' },
};

export interface UsesLine {
  file: string;
  line: number;
  /** owner/repo[/path]@ref as written. */
  uses: string;
  /** What follows the ref on the line (the `# vX` comment), trimmed. */
  comment: string;
}

/** Every `uses:` in a text (workflow YAML, or Markdown with YAML snippets). */
export function usesLines(file: string, text: string): UsesLine[] {
  const out: UsesLine[] = [];
  text.split('\n').forEach((l, i) => {
    const m = /^\s*(?:-\s+)?uses:\s*(\S+)\s*(.*)$/.exec(l);
    if (m) out.push({ file, line: i + 1, uses: m[1]!, comment: m[2]!.trim() });
  });
  return out;
}

/** Why a third-party `uses:` is not a pinned release ('' when it is one). */
export function pinProblem(u: UsesLine): string {
  const m = /^([^/@]+\/[^/@]+)(?:\/[^@]*)?@(.+)$/.exec(u.uses);
  if (!m) return `${u.file}:${u.line}: ${u.uses} is not owner/repo[/path]@ref`;
  const [, repo, ref] = m;
  if (!/^[0-9a-f]{40}$/.test(ref!)) return `${u.file}:${u.line}: ${u.uses} is not pinned to a full commit SHA`;
  const release = PINNED_RELEASES[repo!]?.[ref!];
  if (!release) return `${u.file}:${u.line}: ${u.uses}: ${ref} is not a known release of ${repo} (add it to test/support/pinned-actions.ts after checking the tag)`;
  const comment = /^#\s*(v\S+)/.exec(u.comment)?.[1];
  if (comment !== release) return `${u.file}:${u.line}: ${u.uses} is ${release}, its comment says ${comment ?? 'nothing'}`;
  return '';
}
