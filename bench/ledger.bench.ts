// ledger: find-last-good-commit's question ("the newest ✅ commit not rolled back since") on a generated
// 100,000-entry ledger (quick: 10,000) vs a 10-entry one — the cost must not grow with the ledger (goal ≤ 1.2×) —
// and vs the seed's one-liner `grep -B 3 "Status: ✅ Tests Passed" FILE | grep "Commit:" | tail -1 | awk '{print $2}'`
// run by bash on the same file (goal ≤ 3×), all giving the same commit. Measured twice: the domain function
// in-process (readNewestFromFile: the file read from its end), and the find-last-good-commit bundle end to end
// (a process, as the runner runs it, on a checkout holding both ledgers).
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LEDGER_HEADER, passedPredicate, readNewestFromFile, renderEntry, type NewLedgerEntry } from '../src/core/ledger/index.js';
import { ROOT } from '../test/support/action-yml.js';
import { runAction } from '../test/support/harness.js';
import { GitFixture } from '../test/support/revert/git-fixture.js';
import type { Bench, BenchRow } from './types.js';

const ONE_LINER = 'grep -B 3 "Status: ✅ Tests Passed" "$1" | grep "Commit:" | tail -1 | awk \'{print $2}\'';
const BUNDLE_TIMEOUT_MS = 60_000;

/** A deterministic 40-hex commit per index (xorshift), so every run benches the same file. */
function fakeSha(i: number): string {
  let x = (i + 1) * 2654435761;
  let out = '';
  while (out.length < 40) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out += (x >>> 0).toString(16).padStart(8, '0');
  }
  return out.slice(0, 40);
}

/**
 * `n` entries as promote-to-stable and auto-revert write them: mostly ✅, every 25th a ⛔ for the ✅ before it,
 * every 40th a ⏪ restore; the newest is a ✅ for `last` (a real commit of the bench repository).
 */
export function generateLedger(n: number, last: string): string {
  const blocks: string[] = [];
  let previous = fakeSha(0);
  for (let i = 0; i < n - 1; i++) {
    const sha = fakeSha(i);
    let entry: NewLedgerEntry;
    if (i % 25 === 24) entry = { status: 'rolled-back', commit: previous, reason: 'failed the health gate in production' };
    else if (i % 40 === 39) entry = { status: 'restored', commit: previous, image: 'ghcr.io/owner/app', digest: `sha256:${fakeSha(i + 7)}${fakeSha(i + 9).slice(0, 24)}`, tags: ['stable'] };
    else {
      entry = passedEntry(sha, i);
      previous = sha;
    }
    blocks.push(renderEntry(entry));
  }
  blocks.push(renderEntry(passedEntry(last, n)));
  return `${LEDGER_HEADER}\n\n${blocks.join('\n\n')}\n`;
}

function passedEntry(sha: string, i: number): NewLedgerEntry {
  return {
    status: 'passed',
    commit: sha,
    timestamp: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    image: 'ghcr.io/owner/app',
    digest: `sha256:${fakeSha(i + 3)}${fakeSha(i + 5).slice(0, 24)}`,
    tags: ['stable', 'latest'],
    run: `https://github.com/owner/app/actions/runs/${1000 + i}`,
    metrics: { accuracy: 0.9 + (i % 10) / 1000, rmse: 0.12 },
  };
}

function oneLiner(file: string): Promise<{ answer: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('bash', ['-c', ONE_LINER, 'one-liner', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve({ answer: out.trim(), ms: performance.now() - started }) : reject(new Error(`one-liner exited ${code}: ${err}`))));
  });
}

async function tail(file: string, chunkSize?: number): Promise<{ answer: string; ms: number; scanned: number }> {
  const started = performance.now();
  const r = await readNewestFromFile(file, passedPredicate({ skipRolledBack: true }), chunkSize ? { chunkSize } : {});
  return { answer: r.entry?.commit ?? '', ms: performance.now() - started, scanned: r.scanned };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function same(what: string, answers: string[], want: string): void {
  for (const a of answers) if (a !== want) throw new Error(`ledger bench: ${what} answered ${JSON.stringify(a)}, expected ${want}`);
}

const fmt = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : ms < 1000 ? `${ms.toFixed(ms < 10 ? 2 : 0)} ms` : `${(ms / 1000).toFixed(2)} s`);

const bench: Bench = async ({ quick }) => {
  const big = quick ? 10_000 : 100_000;
  const f = await GitFixture.create();
  try {
    // A checkout: A is the good commit every ledger ends with; B (the head) changes the code and adds both ledgers.
    const a = await f.commit('feature: good build', { 'app.py': 'print("good")\n' });
    const bigPath = 'docs/LEDGER_BIG.md';
    const smallPath = 'docs/LEDGER_SMALL.md';
    await mkdir(join(f.work, 'docs'), { recursive: true });
    const bigText = generateLedger(big, a);
    writeFileSync(join(f.work, bigPath), bigText);
    writeFileSync(join(f.work, smallPath), generateLedger(10, a));
    const b = await f.commit('broken: tests fail', { 'app.py': 'print("broken")\n' });
    await f.push();
    const bigFile = join(f.work, bigPath);
    const smallFile = join(f.work, smallPath);
    const sizeMb = (Buffer.byteLength(bigText) / 1e6).toFixed(1);

    // In-process: the tail reader on both files, interleaved, many times (each call is well under a millisecond).
    const iterations = quick ? 20 : 400;
    for (let i = 0; i < 20; i++) await Promise.all([tail(bigFile), tail(smallFile)]); // JIT warm-up
    const tBig: number[] = [];
    const tSmall: number[] = [];
    let scanned = 0;
    for (let i = 0; i < iterations; i++) {
      const x = await tail(bigFile);
      const y = await tail(smallFile);
      same('readNewestFromFile (100k)', [x.answer], a);
      same('readNewestFromFile (10)', [y.answer], a);
      tBig.push(x.ms);
      tSmall.push(y.ms);
      scanned = x.scanned;
    }
    // Informative: the same read with fixed 4 KiB chunks (the default starts at 4 KiB and doubles up to 1 MiB).
    const tSmallChunk: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const x = await tail(bigFile, 4096);
      same('readNewestFromFile (100k, 4 KiB chunks)', [x.answer], a);
      tSmallChunk.push(x.ms);
    }
    const grepRuns = quick ? 1 : 5;
    const greps: number[] = [];
    for (let i = 0; i < grepRuns; i++) {
      const g = await oneLiner(bigFile);
      same('the grep one-liner', [g.answer], a);
      greps.push(g.ms);
    }
    const inBig = median(tBig);
    const inSmall = median(tSmall);
    const grep = median(greps);

    const rows: BenchRow[] = [
      {
        bench: 'ledger',
        metric: `readNewestFromFile, ${big.toLocaleString('en')} entries (${sizeMb} MB, ${(scanned / 1024).toFixed(0)} KiB read) vs 10 entries, in-process, median of ${iterations}`,
        value: fmt(inBig),
        peer: `10 entries: ${fmt(inSmall)}`,
        ratio: inBig / inSmall,
        goal: '≤ 1.2×',
        met: inBig / inSmall <= 1.2,
      },
      {
        bench: 'ledger',
        metric: `(informative) the same with fixed 4 KiB chunks instead of the default (4 KiB, doubling up to 1 MiB)`,
        value: fmt(median(tSmallChunk)),
        peer: `10 entries: ${fmt(inSmall)}`,
        ratio: median(tSmallChunk) / inSmall,
        goal: '≤ 1.2×',
      },
      {
        bench: 'ledger',
        metric: `readNewestFromFile vs the seed's grep one-liner, ${big.toLocaleString('en')} entries, same answer`,
        value: fmt(inBig),
        peer: `grep one-liner: ${fmt(grep)}`,
        ratio: inBig / grep,
        goal: '≤ 3× the one-liner',
        met: inBig / grep <= 3,
      },
    ];

    if (existsSync(join(ROOT, 'dist', 'find-last-good-commit', 'index.js'))) {
      const runBundle = async (ledgerPath: string): Promise<{ ms: number; answer: string; timedOut: boolean }> => {
        const started = performance.now();
        try {
          const r = await runAction('find-last-good-commit', {
            inputs: { 'ledger-path': ledgerPath, 'ledger-source': 'workspace', head: b, token: '' },
            workspace: f.work,
            github: { sha: b, repository: 'owner/app' },
            timeoutMs: BUNDLE_TIMEOUT_MS,
          });
          const ms = performance.now() - started;
          if (r.code !== 0) throw new Error(`find-last-good-commit exited ${r.code}: ${r.errors.join('; ')}\n${r.stderr}`);
          return { ms, answer: r.outputs.sha ?? '', timedOut: false };
        } catch (error) {
          if (/did not finish within/.test((error as Error).message)) return { ms: BUNDLE_TIMEOUT_MS, answer: '', timedOut: true };
          throw error;
        }
      };
      const bundleRuns = quick ? 1 : 5;
      await runBundle(smallPath); // warm the page cache
      const pBig: number[] = [];
      const pSmall: number[] = [];
      let timedOut = false;
      for (let i = 0; i < bundleRuns && !timedOut; i++) {
        const x = await runBundle(bigPath);
        timedOut = x.timedOut;
        if (!timedOut) same('find-last-good-commit (bundle, 100k)', [x.answer], a);
        pBig.push(x.ms);
        const y = await runBundle(smallPath);
        same('find-last-good-commit (bundle, 10)', [y.answer], a);
        pSmall.push(y.ms);
      }
      const eBig = median(pBig);
      const eSmall = median(pSmall);
      const value = timedOut ? `> ${BUNDLE_TIMEOUT_MS / 1000} s (killed)` : fmt(eBig);
      rows.push(
        {
          bench: 'ledger',
          metric: `find-last-good-commit bundle end to end (process), ${big.toLocaleString('en')} entries vs 10, median of ${pBig.length}`,
          value,
          peer: `10 entries: ${fmt(eSmall)}`,
          ratio: eBig / eSmall,
          goal: '≤ 1.2×',
          met: !timedOut && eBig / eSmall <= 1.2,
        },
        {
          bench: 'ledger',
          metric: `find-last-good-commit bundle end to end vs the grep one-liner, ${big.toLocaleString('en')} entries, same answer`,
          value,
          peer: `grep one-liner: ${fmt(grep)}`,
          ratio: eBig / grep,
          goal: '≤ 3× the one-liner',
          met: !timedOut && eBig / grep <= 3,
        },
      );
    }
    return rows;
  } finally {
    await f.cleanup();
  }
};

export default bench;
