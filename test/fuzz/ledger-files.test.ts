/**
 * Ledger files as people and accidents leave them — random bytes, truncated blocks, a 1 MB line, latin1 bytes,
 * UTF-16 with a BOM, CRLF, tables cut short, 50 MB files — through parseLedger (the whole file) and the tail
 * readers (readNewest on the text, readNewestFromFile on the bytes in small chunks). They never throw, report
 * unreadable blocks as warnings with line numbers inside the file, finish (how fast is bench/ledger's business,
 * never a clock in a test), and the tail readers
 * agree with the full parse: same newest entry, same line, same warnings once they have read everything.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { LEDGER_HEADER, newestPassed, parseLedger, passedPredicate, readNewest, readNewestFromFile, renderEntry, type ParsedLedger } from '../../src/core/ledger/index.js';
import { ledgerBytes } from './ledger-arbitraries.js';
import { ROOT } from '../support/action-yml.js';
import { NODE24 } from '../support/harness.js';
import { fcParams } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'greenline-fuzz-ledger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
function writeTemp(bytes: Uint8Array): string {
  const path = join(dir, `ledger-${++fileNo}.md`);
  writeFileSync(path, bytes);
  return path;
}

function lineCount(t: string): number {
  let n = 1;
  for (let i = t.indexOf('\n'); i !== -1; i = t.indexOf('\n', i + 1)) n++;
  return n;
}

/** Line numbers point into the file, messages say something. */
function expectWellFormed(parsed: ParsedLedger, lines: number): void {
  for (const w of parsed.warnings) {
    expect(Number.isInteger(w.line) && w.line >= 1 && w.line <= lines, `warning line ${w.line} outside 1..${lines}`).toBe(true);
    expect(typeof w.message === 'string' && w.message.trim().length > 0).toBe(true);
    expect(w.message.length).toBeLessThan(1000);
  }
  for (const e of parsed.entries) expect(Number.isInteger(e.line) && e.line >= 1 && e.line <= lines, `entry line ${e.line} outside 1..${lines}`).toBe(true);
}

const never = () => false;

/**
 * readNewestFromFile (never accepting an entry, so it reads everything) in a child Node 24 process, killed
 * after `ms`: its warnings count and the first and last warning lines, or 'timeout'.
 */
function tailInChild(path: string, ms: number): Promise<{ reachedStart: boolean; warnings: number; firstLine?: number; lastLine?: number } | 'timeout'> {
  const script = [
    `import { readNewestFromFile } from ${JSON.stringify(join(ROOT, 'src/core/ledger/tail.ts'))};`,
    `const r = await readNewestFromFile(process.env.LEDGER_FILE, () => false, { absoluteLines: true });`,
    `console.log(JSON.stringify({ reachedStart: r.reachedStart, warnings: r.warnings.length, firstLine: r.warnings[0]?.line, lastLine: r.warnings.at(-1)?.line }));`,
  ].join('\n');
  return new Promise((resolve, reject) => {
    const child = spawn(NODE24, ['--import', join(ROOT, 'bench/register.mjs'), '--input-type=module', '-e', script], {
      env: { ...process.env, LEDGER_FILE: path },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, ms);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (killed) resolve('timeout');
      else if (code !== 0) reject(new Error(`tail reader child exited ${code}: ${err}`));
      else resolve(JSON.parse(out) as { reachedStart: boolean; warnings: number; firstLine?: number; lastLine?: number });
    });
  });
}

async function readWholeFile(path: string, chunkSize: number) {
  return readNewestFromFile(path, never, { chunkSize, absoluteLines: true });
}

describe('ledger files, fuzzed', () => {
  it('parseLedger and the tail readers never throw, agree, and number lines inside the file', async () => {
    await fc.assert(
      fc.asyncProperty(ledgerBytes, fc.integer({ min: 1, max: 512 }), async (bytes, small) => {
        // Small chunks exercise every cut (inside lines, inside UTF-8 sequences), but at most ~2,000 of them
        // per file: a 1 MB line read 3 bytes at a time measures the disk, not the reader (64 KiB by default).
        const chunkSize = Math.max(small, Math.ceil(bytes.length / 2000));
        const asText = Buffer.from(bytes).toString('utf8');
        const lines = lineCount(asText);
        const full = parseLedger(asText);
        expectWellFormed(full, lines);

        // The tail reader on the text finds what the full parse finds, at the same line.
        const want = newestPassed(full.entries, { skipRolledBack: true });
        const tail = await readNewest(asText, passedPredicate({ skipRolledBack: true }), { chunkSize });
        expect(tail.entry?.commit).toBe(want?.commit);
        expect(tail.entry?.line).toBe(want?.line);

        // Read to the start, it reports exactly the full parse's warnings.
        const all = await readNewest(asText, never, { chunkSize });
        expect(all.reachedStart).toBe(true);
        expect(all.warnings).toEqual(full.warnings);

        // The same bytes from a file, in small chunks: same answer, same warnings, lines inside the file.
        const path = writeTemp(bytes);
        const fromFile = await readNewestFromFile(path, passedPredicate({ skipRolledBack: true }), { chunkSize, absoluteLines: true });
        expect(fromFile.entry?.commit).toBe(want?.commit);
        expect(fromFile.entry?.line).toBe(want?.line);
        const wholeFile = await readWholeFile(path, chunkSize);
        expect(wholeFile.warnings).toEqual(full.warnings);
        // Bounded: a 1 MB line in 1-byte chunks included.
      }),
      fcParams(300),
    );
  }, 600_000);

  it('a 1 MB line without a newline: parsed and tail-read in bounded time', async () => {
    const line = Buffer.alloc(1_000_000, 'Commit: ');
    const path = writeTemp(line);
    const full = parseLedger(line.toString('utf8'));
    expectWellFormed(full, 1);
    const tail = await readNewestFromFile(path, never, { chunkSize: 4096, absoluteLines: true });
    expect(tail.warnings).toEqual(full.warnings);
  });

  describe('50 MB ledgers', () => {
    const MB50 = 50 * 1024 * 1024;
    const good = '611b29b362b480a8e6a56848f453ab8a2091e683';

    function fiftyMbOfBlocks(): Buffer {
      const block = `${renderEntry({ status: 'passed', commit: 'a'.repeat(40), image: 'ghcr.io/owner/app', digest: `sha256:${'b'.repeat(64)}`, tags: ['stable'], run: 'https://example/run/1', metrics: { accuracy: 0.9 } })}\n\n`;
      const last = `${renderEntry({ status: 'passed', commit: good, image: 'ghcr.io/owner/app', digest: `sha256:${'c'.repeat(64)}` })}\n`;
      const repeat = Math.ceil(MB50 / Buffer.byteLength(block));
      return Buffer.concat([Buffer.from(`${LEDGER_HEADER}\n\n`), Buffer.from(block.repeat(repeat)), Buffer.from(last)]);
    }

    it('50 MB of entries: the tail reader answers from the end at once; the full parse finishes too', async () => {
      const bytes = fiftyMbOfBlocks();
      const path = writeTemp(bytes);
      const tail = await readNewestFromFile(path, passedPredicate({ skipRolledBack: true }));
      expect(tail.entry?.commit).toBe(good);
      expect(tail.scanned).toBeLessThan(1024 * 1024);
      const full = parseLedger(bytes.toString('utf8'));
      expect(full.entries.at(-1)?.commit).toBe(good);
      expect(full.warnings).toEqual([]);
    }, 600_000);

    it('50 MB with no heading or break (one segment, ~1M warnings): parse and tail read finish in bounded time', async () => {
      // Lines that look like fields but never form a block (about a million warnings), and no boundary the
      // tail reader could cut at: it must take the whole file as one segment.
      const unit = 'Commit: not-a-sha\nsome prose é \u00e9\nStatus:\n| a | b |\n';
      const text = unit.repeat(Math.ceil(MB50 / Buffer.byteLength(unit)));
      const path = writeTemp(Buffer.from(text));
      const lines = lineCount(text);
      const full = parseLedger(text);
      expectWellFormed({ entries: full.entries, warnings: full.warnings.slice(0, 1000) }, lines);
      // In a child process that is killed after 300 s: a tail reader that never ends (a loop, a quadratic scan of
      // 50 MB) would otherwise keep this worker busy long after the test timed out.
      const tail = await tailInChild(path, 300_000);
      expect(tail, `readNewestFromFile on a 50 MB single-segment ledger did not finish within 300 s`).not.toBe('timeout');
      if (tail === 'timeout') return;
      expect(tail.reachedStart).toBe(true);
      expect(tail.warnings).toBe(full.warnings.length);
      expect(tail.firstLine).toBe(full.warnings[0]?.line);
      expect(tail.lastLine).toBe(full.warnings.at(-1)?.line);
    }, 600_000);

    it('50 MB of random bytes: bounded, no throw', async () => {
      const bytes = Buffer.alloc(MB50);
      // xorshift noise: fast and reproducible (crypto.randomBytes would do, but a seed makes failures replayable).
      let x = 0x9e3779b9;
      for (let i = 0; i < bytes.length; i += 4) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        bytes.writeUInt32LE(x >>> 0, i);
      }
      const path = writeTemp(bytes);
      const tail = await readNewestFromFile(path, passedPredicate({ skipRolledBack: true }), { absoluteLines: true });
      expect(tail.entry).toBeUndefined();
    }, 600_000);
  });
});
