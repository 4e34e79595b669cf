import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  LEDGER_HEADER,
  newestGood,
  parseLedger,
  readNewest,
  readNewestFromFile,
  readNewestPassed,
  renderEntry,
  type ChunkReader,
  type LedgerEntry,
} from '../../src/core/ledger/index.js';

const dir = mkdtempSync(join(tmpdir(), 'greenline-tail-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bytesReader(bytes: Uint8Array): ChunkReader & { reads: number; bytes: number } {
  return {
    size: bytes.length,
    reads: 0,
    bytes: 0,
    async read(position, length) {
      this.reads++;
      this.bytes += length;
      return bytes.slice(position, position + length);
    },
  };
}

/** Every entry a backwards scan sees (newest first), by never accepting one. */
async function everything(source: string | ChunkReader, chunkSize: number) {
  const seen: LedgerEntry[] = [];
  const result = await readNewest(
    source,
    (e) => {
      seen.push(e);
      return false;
    },
    { chunkSize },
  );
  return { seen, result };
}

const newlines = (s: string) => s.split('\n').length - 1;

const fragment = fc.oneof(
  fc.constantFrom(
    '### ✅ 611b29b · 2024', 'Commit: 611b29b', 'Commit: DAD549A0', 'Commit: nope', 'Status: ✅ Tests Passed', 'Status: ⛔ Rolled back',
    'Status: ??', '**Commit:** `abc1234`', '- Status: PASSED', '| Commit | Status |', '|---|---|', '| 611b29b | ok |', '| x |', '---',
    '***', '# Title', '  ## Sub ##', '', ' ', '\r', '\uFEFF', 'Metrics: a=1', 'Date: 2024-01-01', 'prose', 'Tags: a, b', '#', '-- -',
  ),
  fc.string({ maxLength: 12 }),
);
const textArb = fc.tuple(fc.array(fragment, { maxLength: 60 }), fc.constantFrom('\n', '\r\n'), fc.boolean()).map(([parts, eol, bom]) => (bom ? '\uFEFF' : '') + parts.join(eol));

describe('readNewest sees exactly what parseLedger sees', () => {
  it('on strings and on bytes, whatever the chunk size (property)', async () => {
    await fc.assert(
      fc.asyncProperty(textArb, fc.integer({ min: 1, max: 80 }), async (raw, chunkSize) => {
        const text = Buffer.from(raw).toString('utf8'); // what a file holding `raw` decodes to
        const full = parseLedger(text);
        const shift = newlines(text) + 2; // from-end line = absolute line - shift
        for (const source of [text, bytesReader(Buffer.from(text))]) {
          const { seen, result } = await everything(source, chunkSize);
          expect(seen.map((e) => ({ ...e, line: e.line + shift }))).toEqual([...full.entries].reverse());
          expect(result.reachedStart).toBe(true);
          expect(result.lines).toBe('absolute');
          expect(result.warnings).toEqual([...full.warnings].sort((a, b) => a.line - b.line));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('on arbitrary bytes, invalid UTF-8 included, decoded as a file read would (property)', async () => {
    const byte = fc.oneof(fc.constantFrom(0x0a, 0x0d, 0x23, 0x20, 0x2d, 0x7c, 0xef, 0xbb, 0xbf, 0xe2, 0x9c, 0x85, 0xc3, 0x80, 0xff), fc.integer({ min: 0, max: 255 }));
    await fc.assert(
      fc.asyncProperty(fc.array(byte, { maxLength: 300 }), fc.integer({ min: 1, max: 40 }), async (list, chunkSize) => {
        const bytes = Uint8Array.from(list);
        const text = Buffer.from(bytes).toString('utf8');
        const full = parseLedger(text);
        const { seen, result } = await everything(bytesReader(bytes), chunkSize);
        expect(seen.map((e) => ({ ...e, line: e.line + newlines(text) + 2 }))).toEqual([...full.entries].reverse());
        expect(result.warnings).toEqual([...full.warnings].sort((a, b) => a.line - b.line));
      }),
      { numRuns: 300 },
    );
  });

  it('on a 100,000-row table with no heading (one huge segment) read in small chunks', async () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => `| ${(0x1000000 + i).toString(16)} | ${i % 2 ? 'passed' : 'failed'} |`);
    const text = `| Commit | Status |\n|---|---|\n${rows.join('\n')}\n`;
    const r = await readNewestPassed(bytesReader(Buffer.from(text)), { chunkSize: 4096 });
    expect(r.entry).toMatchObject({ commit: (0x1000000 + 99_999).toString(16), line: 100_002 });
    expect(r.reachedStart).toBe(true);
  });

  it('on ledgers with huge lines and no newline at the end', async () => {
    const text = `# L\n\n### ✅ a\nCommit: ${'f'.repeat(40)}\nStatus: ✅ Tests Passed\nReason: ${'x'.repeat(300_000)}\n\n${'#'.repeat(200_000)}\nCommit: 1234567\nStatus: passed`;
    const { seen } = await everything(bytesReader(Buffer.from(text)), 4096);
    expect(seen.map((e) => e.commit)).toEqual(['1234567', 'f'.repeat(40)]);
  });
});

describe('readNewest', () => {
  const text = readFileSync(join(import.meta.dirname, '../fixtures/ledger/greenline.md'), 'utf8');

  it('skips rolled-back commits only when asked, with absolute line numbers for strings', async () => {
    expect((await readNewestPassed(text)).entry).toMatchObject({ commit: 'dad549a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6', line: 23 });
    expect((await readNewestPassed(text, { skipRolledBack: true })).entry).toMatchObject({ commit: '611b29b362b480a8e6a56848f453ab8a2091e683', line: 14 });
    expect((await readNewestPassed(text, { skipRolledBack: true, skip: (e) => e.commit.startsWith('611') })).entry?.commit).toBe(
      '3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39',
    );
  });

  it('takes async predicates (an ancestry check) and passes the rollback context', async () => {
    const asked: string[] = [];
    const r = await readNewest(text, async (e, ctx) => {
      asked.push(`${e.status}:${e.commit.slice(0, 7)}:${ctx.isRolledBack(e.commit)}`);
      return e.status === 'passed' && !ctx.isRolledBack(e.commit);
    });
    expect(asked).toEqual(['restored:611b29b:false', 'rolled-back:dad549a:true', 'passed:dad549a:true', 'passed:611b29b:false']);
    expect(r.entry?.line).toBe(14);
  });

  it('a chunk reader that stopped early counts lines from the end unless asked for absolute ones', async () => {
    const big = `${LEDGER_HEADER}\n\n${Array.from({ length: 2000 }, (_, i) => renderEntry({ status: 'passed', commit: i.toString(16).padStart(7, '0') })).join('\n\n')}\n`;
    const lastLine = parseLedger(big).entries.at(-1)!.line;
    const fromEnd = await readNewestPassed(bytesReader(Buffer.from(big)), { chunkSize: 1024 });
    expect(fromEnd.lines).toBe('from-end');
    expect(fromEnd.reachedStart).toBe(false);
    expect(fromEnd.entry?.line).toBe(lastLine - (newlines(big) + 2));
    const absolute = await readNewestPassed(bytesReader(Buffer.from(big)), { chunkSize: 1024, absoluteLines: true });
    expect(absolute.lines).toBe('absolute');
    expect(absolute.entry?.line).toBe(lastLine);
  });

  it('reports the warnings of the part it read, and only those', async () => {
    const broken = readFileSync(join(import.meta.dirname, '../fixtures/ledger/broken.md'), 'utf8');
    const last = await readNewestPassed(broken, { chunkSize: 64 });
    expect(last.entry).toMatchObject({ commit: 'ddddddd4444444', line: 30 });
    expect(last.warnings).toEqual([]);
    const first = await readNewestPassed(broken, { chunkSize: 64, skip: (e) => e.commit.startsWith('d') });
    expect(first.entry).toMatchObject({ commit: 'aaaaaaa1111111', line: 3 });
    expect(first.warnings).toEqual(parseLedger(broken).warnings);
  });

  it('a missing file is no entry, not an error', async () => {
    expect(await readNewestFromFile(join(dir, 'nope.md'), () => true)).toMatchObject({ exists: false, warnings: [] });
  });
});

describe('reading cost does not grow with the ledger', () => {
  // 100,000 entries, about 50 MB: the answer must come from the last chunk or two.
  const blocks: string[] = [];
  for (let i = 0; i < 100_000; i++) {
    const commit = (i * 2654435761 + 0x1000000000).toString(16).padStart(40, '0').slice(-40);
    blocks.push(
      renderEntry({
        status: i % 10 === 9 ? 'rolled-back' : 'passed',
        commit,
        timestamp: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
        image: 'ghcr.io/acme/model',
        digest: `sha256:${commit}${commit.slice(0, 24)}`,
        tags: ['stable', 'latest'],
        run: `https://github.com/acme/model/actions/runs/${9_000_000 + i}`,
        metrics: { accuracy: 0.9 + (i % 100) / 10_000, rmse: 0.1, latency_p95_ms: 120 + (i % 7) },
        reason: 'nightly retrain on the full feature store snapshot with the default hyper-parameters',
      }),
    );
  }
  // The newest entries: a pass, then three rollbacks of it and of older passes.
  const newest = 'e'.repeat(40);
  const tail = [
    renderEntry({ status: 'passed', commit: newest }),
    renderEntry({ status: 'rolled-back', commit: newest.slice(0, 7) }),
    renderEntry({ status: 'rolled-back', commit: blocks.at(-2)!.split('\n')[1]!.slice(8) }),
  ];
  const text = `${LEDGER_HEADER}\n\n${[...blocks, ...tail].join('\n\n')}\n`;
  const file = join(dir, 'big.md');
  writeFileSync(file, text);

  it('readNewestFromFile reads only the tail of a 100,000-entry file', async () => {
    expect(text.length).toBeGreaterThan(40_000_000);
    const good = await readNewestFromFile(file, (e, ctx) => e.status === 'passed' && !ctx.isRolledBack(e.commit));
    const passed = await readNewestFromFile(file, (e) => e.status === 'passed');
    expect(passed.entry?.commit).toBe(newest);
    expect(good.entry?.commit).toBe(newestGood(parseLedger(text).entries)?.commit);
    expect(good.entry?.commit).toBe(blocks.at(-3)!.split('\n')[1]!.slice(8));
    for (const r of [good, passed]) {
      expect(r.scanned).toBeLessThanOrEqual(64 * 1024);
      expect(r.lines).toBe('from-end');
    }
  });

  it('the same question on a 10-entry ledger reads the same amount or less', async () => {
    const small = `${LEDGER_HEADER}\n\n${[...blocks.slice(-7), ...tail].join('\n\n')}\n`;
    const reader = bytesReader(Buffer.from(small));
    const r = await readNewestPassed(reader, { skipRolledBack: true });
    const bigReader = bytesReader(Buffer.from(text));
    const rb = await readNewestPassed(bigReader, { skipRolledBack: true });
    expect(rb.entry?.commit).toBe(blocks.at(-3)!.split('\n')[1]!.slice(8));
    expect(r.entry?.commit).toBe(rb.entry?.commit);
    expect(bigReader.reads).toBe(1);
    expect(bigReader.bytes).toBeLessThanOrEqual(64 * 1024);
    expect(reader.reads).toBe(1);
  });
});

describe('read sizes', () => {
  const blocks = Array.from({ length: 20_000 }, (_, i) => renderEntry({ status: 'passed', commit: (0x10000000 + i).toString(16).padEnd(40, '0') }));
  const text = `${LEDGER_HEADER}\n\n${blocks.join('\n\n')}\n`;

  it('a small answer costs one 4 KiB read; a scan of the whole file reads in doubling chunks (few reads)', async () => {
    const newest = bytesReader(Buffer.from(text));
    expect((await readNewestPassed(newest)).entry?.commit).toBe((0x10000000 + 19_999).toString(16).padEnd(40, '0'));
    expect(newest.reads).toBe(1);
    expect(newest.bytes).toBe(4096);
    const oldest = bytesReader(Buffer.from(text));
    const r = await readNewest(oldest, (e) => e.commit === (0x10000000).toString(16).padEnd(40, '0'));
    expect(r.entry?.line).toBe(parseLedger(text).entries[0]!.line); // it reached the start: absolute for free
    expect(oldest.bytes).toBe(Buffer.byteLength(text));
    // 4 KiB, 8 KiB, … 1 MiB, then 1 MiB at a time: about a dozen reads for this 1.4 MB file, not 350.
    expect(oldest.reads).toBeLessThan(20);
  });

  it('a fixed chunkSize stays fixed', async () => {
    const fixed = bytesReader(Buffer.from(text));
    await readNewest(fixed, () => false, { chunkSize: 64 * 1024 });
    expect(fixed.reads).toBe(Math.ceil(Buffer.byteLength(text) / (64 * 1024)));
  });
});
