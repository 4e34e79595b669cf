import { describe, expect, it } from 'vitest';
import { appendToLedger, parseLedger, type NewLedgerEntry } from '../../src/core/ledger/index.js';
import { currentBuild, normaliseImage, previousBuild, tagHistory } from '../../src/core/ledger/tag-history.js';

const A = 'ghcr.io/acme/model-a';
const B = 'ghcr.io/acme/model-b';
const d = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;
const c = (n: number) => n.toString(16).padStart(2, '0').repeat(20);

/** A ledger as greenline writes it, read back by the parser (so Replaced goes through render and parse). */
function ledger(entries: NewLedgerEntry[]) {
  let text: string | undefined;
  for (const e of entries) text = appendToLedger(text, e);
  const parsed = parseLedger(text ?? '');
  expect(parsed.warnings).toEqual([]);
  return parsed.entries;
}
const pass = (n: number, extra: Partial<NewLedgerEntry> = {}): NewLedgerEntry => ({ status: 'passed', commit: c(n), image: A, digest: d(n), tags: ['stable', 'latest'], ...extra });
const restore = (n: number, from: number, extra: Partial<NewLedgerEntry> = {}): NewLedgerEntry => ({ status: 'restored', commit: c(n), image: A, digest: d(n), tags: ['stable', 'latest'], replaced: d(from), ...extra });
const prev = (entries: ReturnType<typeof ledger>, image = A, tag = 'stable') => previousBuild(tagHistory(entries, { image, tag }))?.digest;

describe('tag history: ledger:previous walks a stack', () => {
  it('three rollbacks in a row walk D3 → D2 → D1, and then there is nowhere to go', () => {
    const e1 = [pass(1), pass(2), pass(3)];
    expect(prev(ledger(e1))).toBe(d(2));
    const e2 = [...e1, restore(2, 3)];
    expect(prev(ledger(e2))).toBe(d(1));
    const e3 = [...e2, restore(1, 2)];
    expect(prev(ledger(e3))).toBeUndefined();
    expect(currentBuild(tagHistory(ledger(e3), { image: A, tag: 'stable' }))?.digest).toBe(d(1));
  });

  it('never returns to a build rolled away from, even when it was promoted before the target', () => {
    // D1, D2, D1 re-promoted (reproducible), D3; roll back to D1 (away from D3), then again: not D3, D2 is below.
    const entries = ledger([pass(1), pass(2), pass(1, { commit: c(11) }), pass(3), restore(1, 3, { commit: c(11) })]);
    expect(prev(entries)).toBe(d(2));
  });

  it('a promotion after a rollback goes on top; rolling back from it returns to the restored build', () => {
    const entries = ledger([pass(1), pass(2), pass(3), restore(2, 3), pass(4)]);
    expect(prev(entries)).toBe(d(2));
    expect(prev(ledger([pass(1), pass(2), pass(3), restore(2, 3), pass(4), restore(2, 4)]))).toBe(d(1));
  });

  it('entries written before the Replaced line existed are read from their Reason', () => {
    const entries = ledger([pass(1), pass(2), pass(3), { ...restore(2, 3), replaced: undefined, reason: `rolled back stable, latest from ${d(3)}` }]);
    expect(entries.at(-1)?.replaced).toBeUndefined();
    expect(prev(entries)).toBe(d(1));
  });

  it('✅ after ⛔ makes a build eligible again; ⛔ or ❌ after its last pass keeps it out', () => {
    const marked = [pass(1), pass(2), { status: 'rolled-back', commit: c(1) } as NewLedgerEntry, pass(3)];
    expect(prev(ledger([...marked, restore(2, 3)]))).toBeUndefined();
    expect(prev(ledger([...marked, pass(1), pass(4)]))).toBe(d(1));
    expect(prev(ledger([pass(1), pass(2), { status: 'failed', commit: c(1).slice(0, 7) }, pass(3), restore(2, 3)]))).toBeUndefined();
  });
});

describe('tag history: per image and per tag', () => {
  it('two images and a canary tag in one ledger never mix', () => {
    const entries = ledger([
      pass(1),
      { ...pass(10), image: B },
      pass(2),
      { ...pass(11), image: B },
      { ...pass(5), tags: ['canary'] },
      { ...pass(12), image: B, tags: ['canary'] },
    ]);
    expect(currentBuild(tagHistory(entries, { image: A, tag: 'stable' }))?.digest).toBe(d(2));
    expect(prev(entries, A)).toBe(d(1));
    expect(prev(entries, B)).toBe(d(10));
    expect(currentBuild(tagHistory(entries, { image: A, tag: 'canary' }))?.digest).toBe(d(5));
    expect(prev(entries, A, 'canary')).toBeUndefined();
    // Image names compare without tag and case; docker.io's spellings are one.
    expect(prev(entries, 'GHCR.io/Acme/Model-A:v1')).toBe(d(1));
    expect(normaliseImage('index.docker.io/nginx')).toBe(normaliseImage('docker.io/library/nginx:1'));
  });

  it('hand-written entries without Image count while the ledger names one image, and are left out once it names two', () => {
    const text = [
      '# Results',
      '',
      '## build 1',
      `Commit: ${c(1)}`,
      'Status: ✅ Passed',
      `Digest: ${d(1)}`,
      '',
      '## build 2',
      `Commit: ${c(2)}`,
      'Status: ✅ Passed',
      `Image: ${A}@${d(2)}`,
      'Tags: stable',
      '',
    ].join('\n');
    const one = parseLedger(text).entries;
    expect(prev(one)).toBe(d(1));
    // Without a Tags line an entry stands for stable and latest, not for a tag like prod-eu.
    expect(currentBuild(tagHistory(one, { image: A, tag: 'latest' }))?.digest).toBe(d(1));
    expect(tagHistory(one, { image: A, tag: 'prod-eu' }).stack).toEqual([]);
    const two = parseLedger(`${text}\n## b\nCommit: ${c(3)}\nStatus: ✅ Passed\nImage: ${B}@${d(3)}\nTags: stable\n`).entries;
    const h = tagHistory(two, { image: A, tag: 'stable' });
    expect(previousBuild(h)).toBeUndefined();
    expect(h.ambiguous).toBe(1);
  });
});
