// incident: API calls per repeat failure (goal ≤ 3: list, update the body, maybe a comment), measured on the
// open-incident-issue bundle run as the runner runs it, against the GitHub stand-in's request log.
import { runAction } from '../test/support/harness.js';
import { startIncidentStandin, OWNER, REPO, TOKEN } from '../test/support/incident/standin.js';
import type { Bench, BenchRow } from './types.ts';

const SHAS = ['a', 'b', 'c', 'd', 'e', 'f'].map((c) => c.repeat(40));

const bench: Bench = async ({ quick }) => {
  const s = await startIncidentStandin({ checkSchema: false }); // greenline's timings, not the schema checks'
  let runId = 1000;
  const run = async (sha: string) => {
    s.standin.resetLog();
    const started = performance.now();
    const r = await runAction('open-incident-issue', {
      env: { GITHUB_API_URL: s.url, GITHUB_REPOSITORY: `${OWNER}/${REPO}`, GITHUB_RUN_ID: String(++runId) },
      github: { token: TOKEN, sha },
    });
    if (r.code !== 0) throw new Error(`open-incident-issue failed: ${r.errors.join('; ')}\n${r.stderr}`);
    return { operation: r.outputs.operation ?? '', calls: s.standin.requests.length, ms: performance.now() - started };
  };
  try {
    const first = await run(SHAS[0]!);
    const repeats = quick ? 2 : 10;
    const quiet: Array<{ calls: number; ms: number }> = [];
    const changed: Array<{ calls: number; ms: number }> = [];
    for (let i = 0; i < repeats; i++) {
      const r = await run(SHAS[0]!);
      if (r.operation !== 'updated') throw new Error(`repeat failure ${i}: expected updated, got ${r.operation}`);
      quiet.push(r);
    }
    for (let i = 1; i <= (quick ? 1 : SHAS.length - 1); i++) {
      const r = await run(SHAS[i]!);
      if (r.operation !== 'commented') throw new Error(`new failing commit ${i}: expected commented, got ${r.operation}`);
      changed.push(r);
    }
    const open = [...s.standin.state.issues.values()].filter((i) => i.state === 'open');
    if (open.length !== 1) throw new Error(`expected one open issue, found ${open.length}`);
    const max = (xs: Array<{ calls: number }>) => Math.max(...xs.map((x) => x.calls));
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const rows: BenchRow[] = [
      {
        bench: 'incident',
        metric: `API calls per repeat failure, nothing new (max of ${quiet.length})`,
        value: String(max(quiet)),
        peer: 'goal 3',
        ratio: max(quiet) / 3,
        goal: '≤ 3',
        met: max(quiet) <= 3,
      },
      {
        bench: 'incident',
        metric: `API calls per repeat failure, new failing commit → comment (max of ${changed.length})`,
        value: String(max(changed)),
        peer: 'goal 3',
        ratio: max(changed) / 3,
        goal: '≤ 3',
        met: max(changed) <= 3,
      },
      {
        bench: 'incident',
        metric: 'API calls for the first failure (lists, labels, create, duplicate check)',
        value: String(first.calls),
        peer: '',
        goal: 'informative',
      },
      {
        bench: 'incident',
        metric: 'wall time per repeat failure, bundle process start to exit (median)',
        value: `${Math.round(median(quiet.map((q) => q.ms)))} ms`,
        peer: '',
        goal: 'informative',
      },
    ];
    return rows;
  } finally {
    await s.stop();
  }
};

export default bench;
