// health-gate: N HTTP checks against loopback endpoints with known delays (5 ms … 500 ms, shuffled), each
// check making `count` attempts spaced by `interval`. The gate's wall time is compared with the slowest
// endpoint checked alone with the same settings: a gate that runs its checks truly concurrently costs
// about as much as its slowest check (goal ≤ 1.5×). Also shown: what the seed's one-at-a-time curl loop
// would take for the same work (computed, informative).
import type { Bench, BenchRow } from './types.ts';
import { parseChecks, resolveChecks } from '../src/core/health/checks-config.js';
import { runGate } from '../src/core/health/gate.js';
import { silentLogger } from '../src/core/action/log.js';
import { startTestService } from '../test/support/health/service.js';

const bench: Bench = async ({ quick }) => {
  const n = quick ? 10 : 100;
  const maxDelay = quick ? 50 : 500;
  const count = quick ? 2 : 3;
  const intervalMs = quick ? 20 : 200;
  const delays = Array.from({ length: n }, (_, i) => Math.round(((i + 1) * maxDelay) / n));
  shuffle(delays, 42);

  const svc = await startTestService();
  try {
    delays.forEach((d, i) => svc.route(`/e${i}`, { status: 200, body: 'ok', delayMs: d }));
    const yamlFor = (indexes: number[]) =>
      indexes.map((i) => `- name: e${i}\n  url: ${svc.url}/e${i}\n  count: ${count}\n  interval: ${intervalMs}ms\n`).join('');
    const time = async (indexes: number[]) => {
      const checks = resolveChecks(parseChecks(yamlFor(indexes)), { attempts: count, intervalMs, timeoutMs: 10_000 });
      const started = performance.now();
      const run = await runGate({ checks, headers: {}, initialDelayMs: 0, deadlineMs: 120_000, log: silentLogger });
      const ms = performance.now() - started;
      const failed = run.results.filter((r) => r.verdict !== 'PASS');
      if (failed.length) throw new Error(`bench: ${failed.length} checks did not pass: ${failed[0]!.message}`);
      return ms;
    };

    const slowest = delays.indexOf(Math.max(...delays));
    await time([0, 1, 2]); // warm-up: JIT, sockets
    const peer = await time([slowest]);
    const all = await time(delays.map((_, i) => i));
    const ratio = all / peer;
    const sequential = delays.reduce((s, d) => s + count * d + (count - 1) * intervalMs, 0);
    const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
    const rows: BenchRow[] = [
      {
        bench: 'health',
        metric: `gate wall time, ${n} HTTP checks × ${count} attempts (delays ${Math.min(...delays)}–${maxDelay} ms)`,
        value: fmt(all),
        peer: `slowest endpoint alone: ${fmt(peer)}`,
        ratio,
        goal: '≤ 1.5×',
        met: ratio <= 1.5,
      },
      {
        bench: 'health',
        metric: 'same checks one at a time (curl loop, computed)',
        value: fmt(all),
        peer: `sequential: ${fmt(sequential)}`,
        ratio: all / sequential,
        goal: 'informative',
      },
    ];
    return rows;
  } finally {
    await svc.close();
  }
};

/** Deterministic Fisher–Yates (mulberry32), so every run uses the same order. */
function shuffle<T>(a: T[], seed: number): void {
  let s = seed >>> 0;
  const random = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
}

export default bench;
