import { table } from '../../core/action/summary.js';
import { servesLine } from '../../core/ledger/stable-serves.js';
import { cell } from '../../core/util/text.js';
import { describeEntry, type PromoteResult } from './main.js';

const short = (d: string) => (d ? `${d.slice(0, 19)}…` : '(none)');

/** Readable in five seconds: one verdict line, one table, what was done. */
export function renderSummary(r: PromoteResult): string {
  const what = r.restored ? 'Rolled back' : 'Promoted';
  const head = r.failure
    ? `### ❌ ${cell(r.failure, 2000)}`
    : r.dryRun
      ? `### 🔍 Dry run: would ${r.restored ? 'roll back' : 'promote'} \`${r.entry.image}@${short(r.digest)}\` to ${r.tags.map((t) => `\`${t}\``).join(', ')}`
      : `### ${r.restored ? '⏪' : '✅'} ${what} \`${r.entry.image}@${short(r.digest)}\` to ${r.tags.map((t) => `\`${t}\``).join(', ')}`;
  const rows = r.tags.map((tag) => {
    const res = r.tagResults.find((t) => t.tag === tag);
    const state = r.dryRun ? 'would move' : res ? (res.ok ? 'moved' : `NOT moved: ${res.error?.message ?? 'failed'}`) : 'not attempted';
    return [tag, tag === r.tags[0] ? short(r.previousDigest) : '', short(r.digest), state];
  });
  const parts = [head, '', table(['tag', 'before', 'after', 'result'], rows), ''];
  parts.push(`Commit \`${r.entry.commit.slice(0, 12)}\` (from ${cell(r.commitFrom, 200)}) · full digest \`${r.digest}\``, '');
  // Where branch-deploying hosts (Streamlit Community Cloud, a Space) now read from, or that they did not move.
  if (r.deploy) parts.push(`Deploy branch \`${cell(r.deploy.branch, 200)}\` at \`${r.deploy.commit}\` (${r.deploy.kind})${r.remoteDeploy ? ` · remote branch \`${cell(r.remoteDeploy.branch, 200)}\` at \`${r.remoteDeploy.commit}\`` : ''}`, '');
  else if (r.deployFailed) parts.push(`⚠️ ${cell(r.deployFailed, 1000)}`, '');
  // What the first tag serves now (this run moved it): the build, since this entry, and the build before it.
  const tag = r.tags[0];
  if (tag && !r.dryRun && r.moved.includes(tag)) {
    parts.push(
      servesLine(
        {
          tag,
          image: r.entry.image ?? '',
          commit: r.entry.commit,
          digest: r.digest,
          since: r.entry.timestamp ?? '',
          ...(r.previousDigest && r.previousDigest !== r.digest ? { previous: { digest: r.previousDigest } } : {}),
        },
        '',
      ),
      '',
    );
  }
  if (r.baseline) parts.push(`Metrics baseline: ${cell(describeEntry(r.baseline.entry), 300)} (${cell(r.baseline.why, 200)})`, '');
  if (r.regressions.length) {
    const verdict = (g: PromoteResult['regressions'][number]) => (g.missing ? (g.missing === 'fail' ? '❌ not in baseline' : `⚠️ not in baseline (${g.missing})`) : g.ok ? '✅' : '❌');
    parts.push(
      table(
        ['metric', 'baseline', 'candidate', 'worse by', 'limit', ''],
        r.regressions.map((g) => [g.metric, g.baseline === undefined ? '—' : String(g.baseline), String(g.candidate), g.missing ? '—' : `${(g.worsening * 100).toFixed(2)} %`, `${(g.limit * 100).toFixed(2)} %`, verdict(g)]),
      ),
      '',
    );
  }
  // Failures and steps carry registry error messages and ledger text: one neutralised line each.
  parts.push(...r.steps.map((s) => `- ${cell(s, 1000)}`));
  return `${parts.join('\n')}\n`;
}
