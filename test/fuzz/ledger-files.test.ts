/**
 * Ledger files as people and accidents leave them — random bytes, truncated blocks, a 1 MB line, latin1 bytes,
 * UTF-16 with a BOM, CRLF, tables cut short, 50 MB files — through parseLedger (the whole file) and the tail
 * readers (readNewest on the text, readNewestFromFile on the bytes in small chunks). They never throw, report
 * unreadable blocks as warnings with line numbers inside the file, finish in bounded time, and the tail readers
 * agree with the full parse: same newest entry, same line, same warnings once they have read everything.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { LEDGER_HEADER, newestPassed, parseLedger, passedPredicate, readNewest, readNewestFromFile, renderEntry, type NewLedgerEntry, type ParsedLedger } from '../../src/core/ledger/index.js';
import { fcParams } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'greenline-fuzz-ledger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
function writeTemp(bytes: Uint8Array): string {
  const path = join(dir, `ledger-${++fileNo}.md`);
  writeFileSync(path, bytes);
  return path;
}

const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });

/** An entry as greenline writes it, with hostile free text (the renderer neutralises it). */
const entryArb: fc.Arbitrary<NewLedgerEntry> = fc.record({
  status: fc.constantFrom('passed', 'passed', 'passed', 'rolled-back', 'restored', 'failed') as fc.Arbitrary<NewLedgerEntry['status']>,
  commit: fc.oneof(hex(40), hex(7)),
  timestamp: fc.constant('2024-12-22T10:15:00Z'),
  image: fc.constantFrom('ghcr.io/owner/app', 'registry.example/x/y'),
  digest: hex(64).map((h) => `sha256:${h}`),
  tags: fc.array(fc.string({ maxLength: 12 }), { maxLength: 3 }),
  run: fc.string({ maxLength: 30 }),
  metrics: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.double({ noNaN: true, noDefaultInfinity: true }), { maxKeys: 2 }),
  version: fc.string({ maxLength: 20 }),
  reason: fc.string({ unit: 'binary', maxLength: 40 }),
});

const validLedger = fc.array(entryArb, { maxLength: 12 }).map((es) => `${LEDGER_HEADER}\n\n${es.map((e) => renderEntry(e)).join('\n\n')}\n`);

/** Lines people write by hand, broken ones included. */
const handLine = fc.constantFrom(
  'Commit: 611b29b362b480a8e6a56848f453ab8a2091e683',
  'Commit: not-a-sha',
  'Commit:',
  '**Commit:** 611b29b',
  '- Commit: `abcdef0`',
  'Status: ✅ Tests Passed',
  'Status: ⛔ Rolled back',
  'Status:',
  '**Status**: PASSED',
  '| Commit | Status | accuracy |',
  '| --- | --- | --- |',
  '| 611b29b | ✅ | 0.9 |',
  '| 611b29b |',
  '| Commit | notes |',
  '### ✅ 611b29b · 2024-12-22T10:15:00Z',
  '---',
  '***',
  '# heading',
  'Metrics: accuracy=0.9, rmse=NaN, x=1e999',
  'Image: ghcr.io/owner/app@sha256:zz',
  'Tags: , , ,',
  '',
  '   ',
  '\r',
  '```',
);

const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 40 }));

/** A ledger as bytes: valid, hand-written, cut, re-encoded, with huge lines — or just noise. */
const ledgerBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  // random bytes
  fc.uint8Array({ maxLength: 4096 }),
  // a valid ledger truncated anywhere (even inside a UTF-8 sequence)
  fc.tuple(validLedger, fc.double({ min: 0, max: 1, noNaN: true })).map(([t, f]) => {
    const b = Buffer.from(t);
    return b.subarray(0, Math.floor(b.length * f));
  }),
  // valid blocks, hand-written lines and noise, interleaved, with LF or CRLF
  fc
    .tuple(fc.array(fc.oneof(validLedger, handLine, text), { maxLength: 30 }), fc.boolean())
    .map(([parts, crlf]) => Buffer.from(crlf ? parts.join('\n').replace(/\n/g, '\r\n') : parts.join('\n'))),
  // mixed encodings: latin1 bytes (é as 0xE9), UTF-8 BOM, UTF-16LE/BE with BOM, a latin1 block between UTF-8 ones
  fc.tuple(validLedger, fc.constantFrom('latin1', 'utf8-bom', 'utf16le-bom', 'utf16be-bom', 'mixed')).map(([t, enc]) => {
    const withAccent = t.replace(/Tests Passed/g, 'Tests Passed — é');
    switch (enc) {
      case 'latin1':
        return Buffer.from(withAccent, 'latin1');
      case 'utf8-bom':
        return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(withAccent)]);
      case 'utf16le-bom':
        return Buffer.from(`\uFEFF${withAccent}`, 'utf16le');
      case 'utf16be-bom':
        return Buffer.from(`\uFEFF${withAccent}`, 'utf16le').swap16();
      default:
        return Buffer.concat([Buffer.from(t), Buffer.from(`\n${withAccent}\n`, 'latin1'), Buffer.from(t)]);
    }
  }),
  // a huge line (100 kB … 1 MB, with or without a newline) somewhere in a valid ledger
  fc
    .tuple(validLedger, fc.integer({ min: 100_000, max: 1_000_000 }), fc.constantFrom('x', 'Commit: ', '|', 'é', '#'), fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true }))
    .map(([t, n, unit, newline, at]) => {
      const lines = t.split('\n');
      const i = Math.floor(lines.length * at);
      lines.splice(i, 0, unit.repeat(Math.ceil(n / unit.length)) + (newline ? '' : lines[i] ?? ''));
      return Buffer.from(lines.join('\n'));
    }),
);

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

async function readWholeFile(path: string, chunkSize: number) {
  return readNewestFromFile(path, never, { chunkSize, absoluteLines: true });
}

describe('ledger files, fuzzed', () => {
  it('parseLedger and the tail readers never throw, agree, and number lines inside the file', async () => {
    await fc.assert(
      fc.asyncProperty(ledgerBytes, fc.integer({ min: 1, max: 512 }), async (bytes, chunkSize) => {
        const started = performance.now();
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
        expect(performance.now() - started).toBeLessThan(10_000);
      }),
      fcParams(150),
    );
  }, 150_000);

  it('a 1 MB line without a newline: parsed and tail-read in bounded time', async () => {
    const line = Buffer.alloc(1_000_000, 'Commit: ');
    const path = writeTemp(line);
    const started = performance.now();
    const full = parseLedger(line.toString('utf8'));
    expectWellFormed(full, 1);
    const tail = await readNewestFromFile(path, never, { chunkSize: 4096, absoluteLines: true });
    expect(tail.warnings).toEqual(full.warnings);
    expect(performance.now() - started).toBeLessThan(5_000);
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
      let t = performance.now();
      const tail = await readNewestFromFile(path, passedPredicate({ skipRolledBack: true }));
      expect(tail.entry?.commit).toBe(good);
      expect(tail.scanned).toBeLessThan(1024 * 1024);
      expect(performance.now() - t).toBeLessThan(1_000);
      t = performance.now();
      const full = parseLedger(bytes.toString('utf8'));
      expect(full.entries.at(-1)?.commit).toBe(good);
      expect(full.warnings).toEqual([]);
      expect(performance.now() - t).toBeLessThan(30_000);
    }, 90_000);

    it('50 MB with no heading or break at all (one segment of noise): bounded, no throw, warnings numbered', async () => {
      // Lines that look like fields but never form a block, and no boundary the tail reader could cut at.
      const unit = 'Commit: not-a-sha\nsome prose é \u00e9\nStatus:\n| a | b |\n';
      const bytes = Buffer.from(unit.repeat(Math.ceil(MB50 / Buffer.byteLength(unit))));
      const path = writeTemp(bytes);
      const t = performance.now();
      const tail = await readNewestFromFile(path, never, { absoluteLines: true });
      expect(tail.entry).toBeUndefined();
      expect(tail.reachedStart).toBe(true);
      expect(tail.warnings.length).toBeGreaterThan(0);
      const lines = lineCount(bytes.toString('utf8'));
      for (const w of tail.warnings.slice(0, 100)) expect(w.line >= 1 && w.line <= lines).toBe(true);
      expect(performance.now() - t).toBeLessThan(60_000);
    }, 120_000);

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
      const t = performance.now();
      const tail = await readNewestFromFile(path, passedPredicate({ skipRolledBack: true }), { absoluteLines: true });
      expect(tail.entry).toBeUndefined();
      expect(performance.now() - t).toBeLessThan(60_000);
    }, 120_000);
  });
});
