import { describe, expect, it } from 'vitest';
import { renderSummary } from '../../src/actions/promote-to-stable/summary.js';
import type { PromoteResult } from '../../src/actions/promote-to-stable/main.js';
import { parseLedger } from '../../src/core/ledger/parse.js';
import { stableLine, stableOutputs, tagServes } from '../../src/core/ledger/stable-serves.js';
import { DIGEST, ledgerWith, passed } from '../support/revert/ledger.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

describe('tagServes (what a tag serves by the ledger)', () => {
  it('the top of the stack, since its newest entry, and the build below; a re-promotion keeps the first entry', () => {
    const text = ledgerWith([
      passed(A, { digest: DIGEST(1), timestamp: '2025-01-01T00:00:00Z' }),
      passed(B, { digest: DIGEST(2), timestamp: '2025-01-02T00:00:00Z' }),
      passed(B, { digest: DIGEST(2), timestamp: '2025-01-03T00:00:00Z' }),
    ]);
    const s = tagServes(parseLedger(text).entries);
    expect(s).toEqual({ tag: 'stable', image: 'ghcr.io/owner/app', commit: B, digest: DIGEST(2), since: '2025-01-03T00:00:00Z', previous: { commit: A, digest: DIGEST(1) } });
    expect(stableOutputs(s)).toEqual({ 'stable-commit': B, 'stable-digest': DIGEST(2), 'stable-since': '2025-01-03T00:00:00Z' });
  });

  it('another tag\'s entries never count; several images need the image named', () => {
    const text = ledgerWith([
      passed(A, { digest: DIGEST(1), tags: ['canary'] }),
      passed(B, { digest: DIGEST(2), image: 'ghcr.io/owner/worker' }),
    ]);
    const entries = parseLedger(text).entries;
    expect(tagServes(entries)).toEqual({ ambiguous: ['ghcr.io/owner/app', 'ghcr.io/owner/worker'] });
    expect(stableOutputs(tagServes(entries))).toEqual({ 'stable-commit': '', 'stable-digest': '', 'stable-since': '' });
    expect(stableLine(tagServes(entries), 'L.md')).toBe('**What :stable serves:** L.md names several images (ghcr.io/owner/app, ghcr.io/owner/worker): none is picked.');
    expect(tagServes(entries, { image: 'ghcr.io/owner/app' })).toBeUndefined();
    expect(tagServes(entries, { image: 'ghcr.io/owner/worker' })).toMatchObject({ commit: B, digest: DIGEST(2) });
    expect(tagServes(entries, { image: 'ghcr.io/owner/app', tag: 'canary' })).toMatchObject({ tag: 'canary', commit: A });
  });

  it('a rollback puts the tag back on the build below and since the rollback', () => {
    const text = ledgerWith([
      passed(A, { digest: DIGEST(1), timestamp: '2025-01-01T00:00:00Z' }),
      passed(B, { digest: DIGEST(2), timestamp: '2025-01-02T00:00:00Z' }),
      { status: 'restored', commit: A, image: 'ghcr.io/owner/app', digest: DIGEST(1), replaced: DIGEST(2), tags: ['stable'], timestamp: '2025-01-02T05:00:00Z' },
    ]);
    const s = tagServes(parseLedger(text).entries);
    expect(s).toEqual({ tag: 'stable', image: 'ghcr.io/owner/app', commit: A, digest: DIGEST(1), since: '2025-01-02T05:00:00Z' });
    expect(stableLine(s, 'L.md')).toBe(`**What :stable serves:** build \`aaaaaaa\`, ghcr.io/owner/app@\`sha256:000000000000…\` since 2025-01-02T05:00:00Z; no previous build.`);
  });
});

describe('promote-to-stable summary', () => {
  const result = (over: Partial<PromoteResult>): PromoteResult => ({
    digest: DIGEST(3),
    previousDigest: DIGEST(2),
    tags: ['stable', 'latest'],
    moved: ['stable', 'latest'],
    entry: { status: 'passed', statusText: '✅ Tests Passed', commit: C, timestamp: '2025-02-01T08:00:00Z', image: 'ghcr.io/owner/app', digest: DIGEST(3), tags: ['stable', 'latest'], metrics: {}, line: 1 },
    restored: false,
    dryRun: false,
    regressions: [],
    commitFrom: 'the event',
    steps: [],
    tagResults: [{ tag: 'stable', ok: true }, { tag: 'latest', ok: true }],
    ...over,
  });

  it('says what the first tag serves after it moved, and the build before it', () => {
    expect(renderSummary(result({}))).toContain(`**What :stable serves:** build \`ccccccc\`, ghcr.io/owner/app@\`sha256:000000000000…\` since 2025-02-01T08:00:00Z; previous build \`sha256:000000000000…\`.`);
  });

  it('says nothing of it in a dry run or when the tag did not move', () => {
    expect(renderSummary(result({ dryRun: true }))).not.toContain('What :stable serves');
    expect(renderSummary(result({ moved: [], failure: 'refused' }))).not.toContain('What :stable serves');
  });
});
