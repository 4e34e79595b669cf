/** fast-check arbitraries for ledger files: valid, hand-written, truncated, re-encoded, huge-lined, noise. */
import fc from 'fast-check';
import { LEDGER_HEADER, renderEntry, type NewLedgerEntry } from '../../src/core/ledger/index.js';

export const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });

/** An entry as greenline writes it, with hostile free text (the renderer neutralises it). */
export const entryArb: fc.Arbitrary<NewLedgerEntry> = fc.record({
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

export const validLedger = fc.array(entryArb, { maxLength: 12 }).map((es) => `${LEDGER_HEADER}\n\n${es.map((e) => renderEntry(e)).join('\n\n')}\n`);

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
export const ledgerBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
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

