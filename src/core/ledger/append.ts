import { ExternalError } from '../action/errors.js';
import type { Logger } from '../action/log.js';
import { backoffDelay, sleep as realSleep } from '../util/retry.js';
import { LEDGER_HEADER, renderEntry } from './render.js';
import type { NewLedgerEntry } from './schema.js';

/**
 * `text` with the entry's block appended: the header first when the file is new; the file's own line
 * endings and BOM kept; at least one blank line before the block (the one-liner's grep -B 3 window of the
 * block's Status line must not reach into the previous block).
 */
export function appendToLedger(text: string | undefined, entry: NewLedgerEntry): string {
  const block = renderEntry(entry);
  const bom = text?.startsWith('\uFEFF') ? '\uFEFF' : '';
  const body = bom ? (text ?? '').slice(1) : (text ?? '');
  const eol = /^[^\n]*\r\n/.test(body) ? '\r\n' : '\n';
  const withEol = (s: string) => (eol === '\n' ? s : s.replace(/\n/g, eol));
  if (body.trim() === '') return `${bom}${withEol(`${LEDGER_HEADER}\n\n${block}\n`)}`;
  let out = body;
  if (!out.endsWith('\n')) out += eol;
  const withoutLastEol = out.slice(0, out.endsWith('\r\n') ? -2 : -1);
  const lastLine = withoutLastEol.slice(withoutLastEol.lastIndexOf('\n') + 1);
  if (lastLine.trim() !== '') out += eol;
  return `${bom}${out}${withEol(`${block}\n`)}`;
}

/** Where the ledger lives: a compare-and-swap store keyed by a version (blob sha, base commit). */
export interface LedgerStore {
  /** The current text and its version, or undefined when the file does not exist yet. */
  read(): Promise<{ text: string; version: string } | undefined>;
  /**
   * Writes `text` if the file is still at `version` (undefined: only if it still does not exist).
   * `conflict` when someone else wrote first; any other failure throws.
   */
  write(text: string, version: string | undefined, message: string): Promise<'ok' | 'conflict'>;
}

export interface AppendOptions {
  /** Attempts in all (read, append, write), default 8. */
  attempts?: number;
  log: Logger;
  /** Commit message; `[skip ci]` is added when missing. */
  message?: string;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Backoff base; default twice the last attempt's duration, within 200 ms to 2 s. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  now?: () => number;
}

/** Ledger commits must not trigger the workflow that wrote them. */
export function withSkipCi(message: string): string {
  return /\[skip ci\]/i.test(message) ? message : `${message} [skip ci]`;
}

export function ledgerCommitMessage(entry: NewLedgerEntry, message?: string): string {
  return withSkipCi(message ?? `greenline: ledger ${entry.status} ${entry.commit.slice(0, 7).toLowerCase()}`);
}

/**
 * Read → append → compare-and-swap write; on a conflict re-read, re-append and retry after a full-jitter
 * backoff, a bounded number of times. Never loses an entry: a write only lands on the version it was
 * computed from. When a re-read already contains our block (a write that landed although its response
 * was lost, then retried), it is not appended twice.
 */
export async function appendEntry(
  store: LedgerStore,
  entry: NewLedgerEntry,
  options: AppendOptions,
): Promise<{ attempts: number; text: string }> {
  const attempts = Math.max(1, options.attempts ?? 8);
  const message = ledgerCommitMessage(entry, options.message);
  const block = renderEntry(entry);
  const wait = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  for (let attempt = 1; ; attempt++) {
    const started = now();
    const current = await store.read();
    if (attempt > 1 && current && containsBlock(current.text, block)) return { attempts: attempt, text: current.text };
    const text = appendToLedger(current?.text, entry);
    const result = await store.write(text, current?.version, message);
    if (result === 'ok') return { attempts: attempt, text };
    if (attempt >= attempts) {
      throw new ExternalError(`ledger: gave up after ${attempts} attempts: another writer updated the ledger each time`);
    }
    // Writers collide when their read→write windows overlap: spreading retries over a span that grows with
    // how long one attempt takes (a push over the network, a slow runner) keeps collisions rare.
    const base = options.baseDelayMs ?? Math.min(2_000, Math.max(200, 2 * (now() - started)));
    const delay = backoffDelay(attempt - 1, base, options.maxDelayMs ?? 10_000, options.random);
    options.log.info(`ledger: someone else wrote first (attempt ${attempt}/${attempts}); re-reading in ${delay} ms`);
    await wait(delay);
  }
}

function containsBlock(text: string, block: string): boolean {
  return `${text.replace(/\r\n/g, '\n')}\n`.includes(`\n${block}\n`);
}
