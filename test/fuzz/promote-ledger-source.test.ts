/**
 * promote-to-stable `source: ledger:previous` (a real run, not a dry run) over hostile ledgers committed into
 * the stand-in's repository: random bytes, truncated blocks, latin1 and UTF-16, huge lines, noise — mixed with
 * real entries whose digests the registry has, so the rollback sometimes succeeds. Each case ends in success
 * (stable moved to a digest the ledger lists as good, a ⏪ entry appended, every byte of the old ledger kept)
 * or exit 1 with one line naming the input or a ledger line, and then nothing changed (tags, refs, ledger).
 */
import { execFile } from 'node:child_process';
import { isUtf8 } from 'node:buffer';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderEntry } from '../../src/core/ledger/index.js';
import { ROOT } from '../support/action-yml.js';
import { git } from '../support/git-fixture.js';
import { LEDGER, startPromoteWorld, type PromoteWorld } from '../support/promote-world.js';
import { ledgerBytes } from './ledger-arbitraries.js';
import { RUN_TIMEOUT_MS, expectCleanVerdict, fcParams } from './support.js';

const exec = promisify(execFile);
const ACTION = 'promote-to-stable';
const present = existsSync(join(ROOT, 'dist', ACTION, 'index.js'));

describe.skipIf(!present)(`${ACTION} source: ledger:previous over hostile ledgers`, () => {
  let world: PromoteWorld;
  let current: { sha: string; digest: string };
  let earlier: { sha: string; digest: string };

  /** The ledger's bytes on main in the bare repository, or undefined. */
  async function ledgerBytesOnMain(): Promise<Buffer | undefined> {
    try {
      const { stdout } = await exec('git', ['-C', world.remote.bare, 'show', `refs/heads/main:${LEDGER}`], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
      return stdout;
    } catch {
      return undefined;
    }
  }

  async function commitLedger(bytes: Uint8Array): Promise<string> {
    const work = world.remote.work;
    await git(work, ['pull', '-q', '--rebase', 'origin', 'main']);
    await writeFile(join(work, LEDGER), bytes);
    await git(work, ['add', '--', LEDGER]);
    await git(work, ['commit', '-q', '--allow-empty', '-m', 'hand-edited ledger [skip ci]']);
    await git(work, ['push', '-q', 'origin', 'HEAD:refs/heads/main']);
    return git(work, ['rev-parse', 'HEAD']);
  }

  beforeAll(async () => {
    world = await startPromoteWorld();
    const a = await world.remote.commit({ 'app.py': 'print(1)\n', 'docs/.keep': '' }, 'build 1');
    earlier = { sha: a, digest: (await world.candidate('oci-index', a)).digest };
    const b = await world.remote.commit({ 'app.py': 'print(2)\n' }, 'build 2');
    current = { sha: b, digest: (await world.candidate('docker-manifest', b)).digest };
    const r = await world.promote({ 'ledger-write': 'none', 'git-tag': '' }, { sha: b });
    if (r.code !== 0) throw new Error(`setup promotion failed: ${r.stdout}`);
  });
  afterAll(async () => {
    await world?.stop();
  });

  /** Real entries (the registry has these digests), ⛔ markers, and entries whose digest the registry lacks. */
  const realBlock = fc.constantFrom(
    () => renderEntry({ status: 'passed', commit: earlier.sha, image: world.image, digest: earlier.digest, tags: ['stable', 'latest'] }),
    () => renderEntry({ status: 'passed', commit: current.sha, image: world.image, digest: current.digest, tags: ['stable', 'latest'] }),
    () => renderEntry({ status: 'rolled-back', commit: earlier.sha, reason: 'failed in production' }),
    () => renderEntry({ status: 'passed', commit: 'c'.repeat(40), image: world.image, digest: `sha256:${'d'.repeat(64)}` }),
  );
  const hostileLedger = fc
    .tuple(ledgerBytes, fc.array(realBlock, { maxLength: 3 }), fc.boolean(), fc.boolean())
    .map(([noise, blocks, before, endsWithEarlier]) => {
      // Half the ledgers end with the earlier build: ledger:previous then has a real digest to roll back to.
      const all = endsWithEarlier ? [...blocks, () => renderEntry({ status: 'passed', commit: earlier.sha, image: world.image, digest: earlier.digest, tags: ['stable'] })] : blocks;
      const real = Buffer.from(all.map((f) => `\n${f()}\n`).join(''));
      return before && !endsWithEarlier ? Buffer.concat([real, noise]) : Buffer.concat([Buffer.from(noise), real]);
    });

  it('success with every old byte kept, or one line and nothing changed', async () => {
    let successes = 0;
    await fc.assert(
      fc.asyncProperty(hostileLedger, async (bytes) => {
        const head = await commitLedger(bytes);
        const before = { refs: await world.remote.refs(), stable: await world.tagDigest('stable'), latest: await world.tagDigest('latest'), ledger: await ledgerBytesOnMain() };
        const r = await world.promote({ source: 'ledger:previous' }, { sha: head, timeoutMs: RUN_TIMEOUT_MS });
        expectCleanVerdict(r, { action: ACTION, label: `source: ledger:previous over a ${bytes.length}-byte ledger` });
        if (r.code === 0) {
          successes++;
          const stable = await world.tagDigest('stable');
          expect([earlier.digest, current.digest]).toContain(stable);
          const after = (await ledgerBytesOnMain())!;
          // Appending never rewrites what was there. (Ledgers that are not UTF-8 are the separate test below.)
          if (isUtf8(before.ledger!)) {
            expect(after.subarray(0, before.ledger!.length).equals(before.ledger!), 'the append rewrote bytes of the existing ledger').toBe(true);
            expect(after.subarray(before.ledger!.length).toString('utf8')).toMatch(/Status: ⏪ Restored/);
          }
          // Back to the starting point for the next case.
          const reset = await world.promote({ 'ledger-write': 'none', 'git-tag': '', source: current.digest }, { sha: current.sha });
          expect(reset.code, reset.stdout).toBe(0);
        } else {
          const after = { refs: await world.remote.refs(), stable: await world.tagDigest('stable'), latest: await world.tagDigest('latest'), ledger: await ledgerBytesOnMain() };
          expect(after, `a failed ledger:previous changed something: ${r.errors[0]}`).toEqual(before);
        }
      }),
      fcParams(16),
    );
    // The generator must keep reaching the rollback itself, not only the parser's complaints.
    expect(successes, 'no case succeeded: the generator no longer reaches the rollback').toBeGreaterThan(0);
  }, 170_000);

  for (const [encoding, bytes, note] of [
    [
      'latin1 bytes (é written as 0xE9)',
      () => Buffer.from('# Résultats\n\nNotes: modèle entraîné à 91 %\n', 'latin1'),
      '',
    ],
    ['a UTF-16LE block with its BOM', () => Buffer.from('\uFEFF# ML experiment results (saved as UTF-16)\n', 'utf16le'), ''],
  ] as const) {
    it(`a ledger holding ${encoding}: the rollback fails in one line naming the ledger, or appends without rewriting those bytes${note}`, async () => {
      const real = Buffer.from(`\n${renderEntry({ status: 'passed', commit: earlier.sha, image: world.image, digest: earlier.digest, tags: ['stable'] })}\n`);
      const old = Buffer.concat([bytes(), real]);
      const head = await commitLedger(old);
      const stable = await world.tagDigest('stable');
      const r = await world.promote({ source: 'ledger:previous' }, { sha: head, timeoutMs: RUN_TIMEOUT_MS });
      expectCleanVerdict(r, { action: ACTION, label: `ledger with ${encoding}` });
      const after = (await ledgerBytesOnMain())!;
      if (r.code === 0) {
        expect(after.subarray(0, old.length).equals(old), 'the append replaced the non-UTF-8 bytes of the existing ledger (U+FFFD)').toBe(true);
        const reset = await world.promote({ 'ledger-write': 'none', 'git-tag': '', source: current.digest }, { sha: current.sha });
        expect(reset.code, reset.stdout).toBe(0);
      } else {
        expect(after.equals(old)).toBe(true);
        expect(await world.tagDigest('stable')).toBe(stable);
      }
    });
  }
});
