import Bottleneck from 'bottleneck/light.js';
import { describe, expect, it, vi } from 'vitest';
import { useImmediateYields } from '../../src/core/github/bottleneck-yield.js';

/** Zero-delay timers started while `n` jobs go through a limiter of one. */
async function zeroDelayTimers(n: number): Promise<number> {
  const limiter = new Bottleneck({ maxConcurrent: 1 });
  await limiter.schedule(async () => undefined);
  const spy = vi.spyOn(globalThis, 'setTimeout');
  try {
    await Promise.all(Array.from({ length: n }, () => limiter.schedule(async () => undefined)));
    return spy.mock.calls.filter(([, ms]) => !ms).length;
  } finally {
    spy.mockRestore();
  }
}

describe('useImmediateYields (Bottleneck under plugin-throttling)', () => {
  it('leaves one zero-delay timer per job (Bottleneck starting it), not one per datastore step', async () => {
    const before = await zeroDelayTimers(5);
    useImmediateYields();
    useImmediateYields(); // a second call changes nothing
    const after = await zeroDelayTimers(5);
    expect(before).toBeGreaterThan(5 * 3);
    expect(after).toBeLessThanOrEqual(5);
  });

  it('jobs still run one at a time, in order, and a real delay (minTime) still waits', async () => {
    useImmediateYields();
    const limiter = new Bottleneck({ maxConcurrent: 1, minTime: 50 });
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const starts: number[] = [];
    await Promise.all(
      [0, 1, 2].map((i) =>
        limiter.schedule(async () => {
          most = Math.max(most, ++running);
          starts.push(performance.now());
          order.push(i);
          await new Promise((r) => setImmediate(r));
          running--;
        }),
      ),
    );
    expect(most).toBe(1);
    expect(order).toEqual([0, 1, 2]);
    // minTime is a rate limit, not a speed: the gap must not vanish with the faster yields. Two gaps of 50 ms are
    // about 100 ms, without minTime about 1 ms; Bottleneck's Date.now() clock and timer rounding can take a few ms
    // off each gap (89.7 ms was seen), so the bound sits halfway, where neither can reach it.
    expect(starts[2]! - starts[0]!).toBeGreaterThanOrEqual(50);
  });
});
