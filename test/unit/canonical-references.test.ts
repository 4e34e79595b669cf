// One way to refer to greenline everywhere a user copies from (READMEs, docs, examples): owner/greenline at the
// major tag @v1, never a commit; third-party actions pinned to a real release's SHA; and one concurrency-group
// naming for the jobs that move :stable or main.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/action-yml.js';
import { pinProblem, usesLines, type UsesLine } from '../support/pinned-actions.js';

/** Every file a user reads or copies: Markdown at the root, under actions/ and docs/, the example workflows. */
function userFacing(): string[] {
  const out: string[] = [];
  const walk = (dir: string, keep: (f: string) => boolean) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p, keep);
      else if (keep(e.name)) out.push(relative(ROOT, p));
    }
  };
  for (const f of readdirSync(ROOT)) if (f.endsWith('.md')) out.push(f);
  walk(join(ROOT, 'actions'), (f) => f.endsWith('.md'));
  walk(join(ROOT, 'docs'), (f) => f.endsWith('.md'));
  walk(join(ROOT, 'examples'), (f) => /\.(ya?ml|md)$/.test(f));
  return out.sort();
}

const FILES = userFacing();
const read = (f: string) => readFileSync(join(ROOT, f), 'utf8');
const ALL_USES: UsesLine[] = FILES.flatMap((f) => usesLines(f, read(f)));
const isGreenline = (u: UsesLine) => /^[^/]+\/greenline(\/|@)/.test(u.uses);

/** The concurrency groups greenline's docs give: one per thing that moves, keyed by the ref. */
const GROUPS = new Set([
  'greenline-stable-${{ github.ref }}', // moves of :stable (promote, restore)
  'greenline-main-${{ github.ref }}', // moves of main (auto-revert, the one-step rollback)
  'greenline-health-monitor', // the monitor workflow: one run at a time
]);
/** Groups of a whole CI run (cancel superseded pull-request runs): the workflow's own, not greenline's. */
const RUN_GROUP = /^ci-cd-\$\{\{ github\.event_name == 'pull_request' && github\.ref \|\| github\.run_id \}\}$/;

describe('one canonical reference', () => {
  it('reads the READMEs, docs and examples', () => {
    expect(FILES).toEqual(expect.arrayContaining(['README.md', 'actions/auto-revert/README.md', 'examples/workflows/ci-cd.yml']));
    expect(ALL_USES.filter(isGreenline).length).toBeGreaterThan(20);
  });

  it('every uses: of greenline is owner/greenline[/actions/<name>]@v1, with nothing after it', () => {
    const actions = readdirSync(join(ROOT, 'actions'));
    const bad = ALL_USES.filter(isGreenline)
      .filter((u) => {
        const m = /^owner\/greenline(?:\/actions\/([a-z-]+))?@v1$/.exec(u.uses);
        return !m || (m[1] !== undefined && !actions.includes(m[1])) || u.comment !== '';
      })
      .map((u) => `${u.file}:${u.line}: ${u.uses} ${u.comment}`);
    expect(bad).toEqual([]);
  });

  it('no doc or example names a greenline commit: only release tags', () => {
    const bad = FILES.flatMap((f) =>
      read(f)
        .split('\n')
        .map((l, i) => [l, i + 1] as const)
        .filter(([l]) => /greenline[\w/-]*@(?!v1\b|<sha>)\S*/.test(l) || /greenline[\w/-]*@[0-9a-f]{7,40}\b/.test(l))
        .map(([l, n]) => `${f}:${n}: ${l.trim()}`),
    );
    expect(bad).toEqual([]);
  });

  it('every other action is pinned to the full SHA of a real release, with that release as its comment', () => {
    const others = ALL_USES.filter((u) => !isGreenline(u));
    expect(others.length).toBeGreaterThan(5);
    expect(others.map(pinProblem).filter(Boolean)).toEqual([]);
  });

  it('the check is real: a made-up SHA, a wrong comment and a branch are refused', () => {
    const u = (uses: string, comment: string): UsesLine => ({ file: 'x.yml', line: 1, uses, comment });
    expect(pinProblem(u('actions/checkout@8d995e49e0a6a81c749ec7b38ed6fca9bc8f0696', '# v4'))).toMatch(/not a known release/);
    expect(pinProblem(u('actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683', '# v4.2.1'))).toMatch(/is v4.2.2, its comment says v4.2.1/);
    expect(pinProblem(u('actions/checkout@v4', ''))).toMatch(/not pinned to a full commit SHA/);
    expect(pinProblem(u('actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683', '# v4.2.2'))).toBe('');
  });

  it('one concurrency-group naming: every group: in the docs and examples is one of the canonical ones', () => {
    const groups = FILES.flatMap((f) =>
      [...read(f).matchAll(/\bgroup:\s*(.*)$/gm)].map((m) => ({ f, group: m[1]!.replace(/,\s*cancel-in-progress:.*$/, '').trim().replace(/^['"]|['"]$/g, '') })),
    );
    expect(groups.length).toBeGreaterThan(8);
    const bad = groups.filter(({ group }) => !GROUPS.has(group) && !RUN_GROUP.test(group)).map(({ f, group }) => `${f}: ${group}`);
    expect(bad).toEqual([]);
    // Every canonical group is really used, so the list cannot drift from the docs.
    for (const g of GROUPS) expect(groups.map((x) => x.group)).toContain(g);
  });
});
