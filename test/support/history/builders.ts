/**
 * The builders both history tables start from (cases.ts, more-cases.ts): the app, a broken app, the first
 * commit with promote's ✅, and b ✅ → g ✅ → f (broken).
 */
import { type HistoryRepo, LEDGER } from './repo.js';
import type { Built } from './types.js';

export const app = (v: string) => ({ 'app.py': `print("${v}")\n` });
export const broken = (why = 'broken') => ({ 'app.py': `raise SystemExit("${why}")\n` });

/** The first commit (app, docs, a library, optionally the ledger's first bytes) and promote's ✅ for it. */
export async function start(h: HistoryRepo, ledger?: Buffer | string): Promise<string> {
  const b = await h.commit('initial', {
    ...app('v1'),
    'README.md': '# app\n',
    'docs/guide.md': '# Guide\n',
    'lib/auth.py': 'CHECK_TOKEN = False\n',
    ...(ledger !== undefined ? { [LEDGER]: ledger } : {}),
  });
  await h.pass(b);
  return b;
}

/** b ✅ → g ✅ → f (broken), on main. */
export async function goodThenBroken(h: HistoryRepo): Promise<Record<string, string>> {
  const b = await start(h);
  const g = await h.commit('feat: v2', app('v2'));
  const lg = await h.pass(g);
  const f = await h.commit('feat: v3 (broken)', { ...broken(), 'new_module.py': 'x = 1\n' });
  return { b, g, lg, f };
}

/** Pushes the history to the bare remote and names the failing commit. */
export async function done(h: HistoryRepo, failing: string, shas: Record<string, string>, extra: Partial<Built> = {}): Promise<Built> {
  await h.publish();
  return { failing, shas, ...extra };
}
