/**
 * Shared pieces of the input fuzzers (test/fuzz/*-inputs.test.ts): the payloads, the verdict every run must
 * meet, and a runner that feeds one fuzzed input at a time over an action's defaults.
 *
 * Every run must end in exit 0 with no error, or exit 1 with exactly one `::error::` line that names an input
 * (`Input "<name>"`) or a ledger line; never a stack trace or a JavaScript error name, never a hang (each run
 * has a timeout), and never a file created by a shell payload (`$(touch …)`, backticks, `; touch …`).
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { expect } from 'vitest';
import { readActionYml } from '../support/action-yml.js';
import type { RunResult } from '../support/harness.js';

/** Each run gets this long; a run that needs more is a hang. */
export const RUN_TIMEOUT_MS = 40_000;

/** Property runs per action; each run is a small batch of cases run concurrently (see `caseBatch`). */
export const NUM_RUNS = Number(process.env.GREENLINE_FUZZ_RUNS ?? 14);
/** Cases run at once inside one property run. */
export const POOL = 2;

/** fast-check settings shared by every fuzzer: bounded, reproducible with GREENLINE_FUZZ_SEED. */
export function fcParams(numRuns = NUM_RUNS): fc.Parameters<unknown> {
  const seed = process.env.GREENLINE_FUZZ_SEED;
  return {
    numRuns,
    // A case costs a process: report the first failure as found rather than spend minutes shrinking it.
    endOnFailure: true,
    ...(seed ? { seed: Number(seed) } : {}),
  };
}

/** A directory shell payloads aim at: any file appearing in it means an input reached a shell. */
export interface Canary {
  dir: string;
  /** Shell payloads that would create a file in `dir` if interpolated into sh/bash. */
  payloads: string[];
  /** The files that appeared (must stay empty). */
  created(): string[];
  cleanup(): void;
}

export function shellCanary(): Canary {
  const dir = mkdtempSync(join(tmpdir(), 'greenline-fuzz-canary-'));
  const f = (n: string) => join(dir, n);
  const payloads = [
    `$(touch ${f('dollar-paren')})`,
    `\`touch ${f('backtick')}\``,
    `x; touch ${f('semicolon')}`,
    `x && touch ${f('and')}`,
    `x | touch ${f('pipe')}`,
    `'; touch ${f('single-quote')}; '`,
    `"; touch ${f('double-quote')}; "`,
    `\ntouch ${f('newline')}\n`,
    `\${IFS}$(touch${'${IFS}'}${f('ifs')})`,
    `>${f('redirect')}`,
  ];
  return {
    dir,
    payloads,
    created: () => (existsSync(dir) ? readdirSync(dir) : []),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Every shell payload of the canary in one value, plus workflow-command and percent-encoding tricks. */
export function allInOne(canary: Canary): string {
  return [...canary.payloads, '%0A::error::injected', '::set-output name=digest::sha256:0', '${{ github.token }}'].join(' ');
}

/**
 * Hostile strings for one input: arbitrary unicode (any code point but NUL, which an environment variable
 * cannot carry — nor can the runner's), control characters and newlines, `%0A` / `%25` / `::error::`
 * workflow-command tricks, shell metacharacters aimed at the canary, near-valid values, and huge values (up
 * to 100 kB: Linux refuses a single environment string over 128 kB, so the runner cannot pass more either).
 */
export function hostileString(canary: Canary): fc.Arbitrary<string> {
  const tricks = fc.constantFrom(
    '',
    ' ',
    '\n',
    '\r\n',
    '\t',
    '%0A',
    '%0D%0A',
    '%25',
    '%',
    '::error::boom',
    '\n::error::second error line',
    '::add-mask::x',
    '::stop-commands::tok',
    '::set-output name=x::y',
    '${{ github.token }}',
    '\\',
    '"',
    "'",
    '--help',
    '-x',
    '../../../../etc/passwd',
    '/etc/passwd',
    'C:\\Windows',
    'null',
    'undefined',
    '__proto__',
    'constructor',
    'true',
    'false',
    'NaN',
    'Infinity',
    '-1',
    '0',
    '1e309',
    '99999999999999999999',
    '0x10',
    'sha256:',
    `sha256:${'g'.repeat(64)}`,
    'a'.repeat(41),
    'http://',
    'http://user:pass@',
    'https://127.0.0.1:1/',
    'file:///etc/passwd',
    'ledger:',
    'ledger:previous\nledger:previous',
    '- name: x\n  type: http\n  url: /\n  bogus: 1',
    '[]',
    '{}',
    '- 1\n- 2',
    '&anchor [*anchor]',
    '\u202e\u2066rtl',
    '\uFEFFbom',
    '\uD800',
    '\u0085\u2028\u2029',
    '😀'.repeat(10),
    'é'.normalize('NFD'),
    ...canary.payloads,
  );
  const text = fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 80 }) },
  );
  const huge = fc
    .tuple(fc.integer({ min: 10_000, max: 100_000 }), fc.constantFrom('A', 'é', '😀', '\n', '%0A', 'x,', '$(', '::error::'))
    .map(([n, unit]) => unit.repeat(Math.max(1, Math.floor(n / Buffer.byteLength(unit)))));
  const mixed = fc.tuple(text, tricks, text).map(([a, b, c]) => `${a}${b}${c}`);
  return fc
    .oneof({ weight: 3, arbitrary: tricks }, { weight: 4, arbitrary: text }, { weight: 3, arbitrary: mixed }, { weight: 1, arbitrary: huge })
    .map((s) => s.replace(/\0/g, ''));
}

/** Names of an action's inputs, from its action.yml. */
export function inputNames(action: string): string[] {
  return Object.keys(readActionYml(action).inputs ?? {});
}

export interface FuzzCase {
  input: string;
  value: string;
}

/**
 * A batch of up to `POOL` cases (one input each). `only` restricts which inputs are fuzzed; `filter` may drop
 * values per input (e.g. a `dry-run` value that would switch the dry run off).
 */
export function caseBatch(inputs: string[], values: fc.Arbitrary<string>, filter: (c: FuzzCase) => boolean = () => true): fc.Arbitrary<FuzzCase[]> {
  const one = fc.record({ input: fc.constantFrom(...inputs), value: values }).filter(filter);
  return fc.array(one, { minLength: 1, maxLength: POOL });
}

/** `getInput` trims; a dry-run input whose trimmed value is empty or false would make a real run. */
export function keepsDryRun(c: FuzzCase): boolean {
  return c.input !== 'dry-run' || !/^(false|False|FALSE)?$/.test(c.value.trim());
}

const STACK_FRAME = /^\s+at (?:.+ \()?(?:file:\/\/|node:|\/|<anonymous>).*:\d+(?::\d+)?\)?$/m;
const JS_ERROR = /\b(?:TypeError|ReferenceError|SyntaxError|RangeError|EvalError|URIError|AggregateError|UnhandledPromiseRejection|ERR_[A-Z_]+)\b/;

export interface VerdictOptions {
  action: string;
  /** What was fuzzed in this case (for the message), e.g. `input "tags" = "…"`. */
  label: string;
  /** Accept exit 1 with one error line that is not about an input (e.g. health-gate's own verdict). */
  otherError?: RegExp;
}

/**
 * The contract of a run on bad input: exit 0 with no error, or exit 1 with exactly one error line naming an
 * input of the action (or a ledger line); no crash trace; no JavaScript error name.
 */
export function expectCleanVerdict(r: RunResult, o: VerdictOptions): void {
  const where = `${o.action}, ${o.label}\n--- stdout ---\n${r.stdout.slice(0, 4000)}\n--- stderr ---\n${r.stderr.slice(0, 4000)}`;
  expect(STACK_FRAME.test(r.stdout) || STACK_FRAME.test(r.stderr), `stack trace in the log (${where})`).toBe(false);
  // Values echoed back are JSON-quoted or sanitised; a bare JS error name comes from the code, not the input.
  expect(JS_ERROR.exec(r.stderr)?.[0], `JavaScript error on stderr (${where})`).toBeUndefined();
  for (const e of r.errors) expect(JS_ERROR.exec(e)?.[0], `JavaScript error in the error line (${where})`).toBeUndefined();
  expect([0, 1], `exit code ${r.code} (${where})`).toContain(r.code);
  if (r.code === 0) {
    expect(r.errors, `exit 0 with an error line (${where})`).toEqual([]);
    return;
  }
  expect(r.errors, `exit 1 must print exactly one error line (${where})`).toHaveLength(1);
  const line = r.errors[0]!;
  expect(line.includes('\n'), `the error is more than one line (${where})`).toBe(false);
  const names = inputNames(o.action);
  const named = /Input "([^"]+)"/.exec(line)?.[1];
  const aboutLedger = /ledger/i.test(line) && /line \d+/i.test(line);
  const other = o.otherError?.test(line) ?? false;
  expect(
    (named !== undefined && names.includes(named)) || aboutLedger || other,
    `the error names no input of ${o.action} nor a ledger line: ${JSON.stringify(line)} (${where})`,
  ).toBe(true);
}

/** Runs `fn` over items with at most `limit` at once; results in order. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Shortens a value for a test title or message. */
export function show(value: string, max = 80): string {
  const s = JSON.stringify(value);
  return s.length > max ? `${s.slice(0, max)}…(${value.length} chars)` : s;
}

export interface FuzzWorld {
  action: string;
  /** Runs the action with these inputs over the world's base inputs (and the action.yml defaults). */
  run(inputs: Record<string, string>): Promise<RunResult>;
  /** Everything a run must leave as it was (registry tags, refs, issues, write requests…), comparable with toEqual. */
  snapshot(): Promise<unknown>;
  /** Inputs not fuzzed (none by default). */
  exclude?: string[];
  filter?: (c: FuzzCase) => boolean;
  otherError?: RegExp;
}

/** The property: any batch of one-input cases keeps the verdict contract, changes nothing, runs no shell. */
export async function fuzzInputs(world: FuzzWorld, canary: Canary, numRuns = NUM_RUNS): Promise<void> {
  const inputs = inputNames(world.action).filter((n) => !world.exclude?.includes(n));
  await fc.assert(
    fc.asyncProperty(caseBatch(inputs, hostileString(canary), world.filter), async (batch) => {
      const before = await world.snapshot();
      const results = await Promise.all(batch.map((c) => world.run({ [c.input]: c.value })));
      batch.forEach((c, i) => expectCleanVerdict(results[i]!, { action: world.action, label: `input "${c.input}" = ${show(c.value)}`, otherError: world.otherError }));
      expect(canary.created(), 'a shell payload in an input created a file').toEqual([]);
      expect(await world.snapshot(), `something changed after ${batch.map((c) => `${c.input}=${show(c.value)}`).join(', ')}`).toEqual(before);
    }),
    fcParams(numRuns),
  );
}

/** Every input once with every shell payload at the same time: no file appears, the verdict holds, nothing changes. */
export async function injectionSweep(world: FuzzWorld, canary: Canary): Promise<void> {
  const inputs = inputNames(world.action).filter((n) => !world.exclude?.includes(n));
  const payload = allInOne(canary);
  const before = await world.snapshot();
  const results = await pool(inputs, POOL, (input) => world.run({ [input]: payload }));
  inputs.forEach((input, i) => expectCleanVerdict(results[i]!, { action: world.action, label: `input "${input}" = every shell payload`, otherError: world.otherError }));
  expect(canary.created(), 'a shell payload in an input created a file').toEqual([]);
  expect(await world.snapshot()).toEqual(before);
}
