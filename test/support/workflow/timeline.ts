/** Reading a WorkflowTrace: lookups that fail loudly, and a timeline a person can follow. */
import type { JobResult, JobTrace, StepOutcome, StepTrace, WorkflowTrace } from './types.js';

export function findJob(trace: WorkflowTrace, id: string): JobTrace {
  const job = trace.jobs.find((j) => j.id === id);
  if (!job) throw new Error(`${trace.file}: no job ${id} in the trace (jobs: ${trace.jobs.map((j) => j.id).join(', ') || 'none'})`);
  return job;
}

/** A step by `id:`, else by its (evaluated) name. */
export function findStep(trace: WorkflowTrace, jobId: string, step: string): StepTrace {
  const job = findJob(trace, jobId);
  const found = job.steps.find((s) => s.id === step) ?? job.steps.find((s) => s.name === step);
  if (!found) throw new Error(`${trace.file}: job ${jobId} has no step ${step} (steps: ${job.steps.map((s) => s.id ?? s.name).join(', ')})`);
  return found;
}

/** `{ job: result }`, handy for one assertion over the whole run. */
export function jobResults(trace: WorkflowTrace): Record<string, JobResult> {
  return Object.fromEntries(trace.jobs.map((j) => [j.id, j.result]));
}

const MARK: Record<JobResult | StepOutcome, string> = { success: '✓', failure: '✗', cancelled: '⊘', skipped: '○' };

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

export interface TimelineOptions {
  /** Include each step's stdout (indented) — for a failing test's message. */
  logs?: boolean;
  /** Include every step's outputs. */
  outputs?: boolean;
}

function stepLine(s: StepTrace): string {
  const via = s.via ? ('greenline' in s.via ? ` [greenline ${s.via.greenline}]` : ` [emulated ${s.via.emulation}]`) : '';
  const extra: string[] = [];
  if (s.outcome === 'skipped' && s.condition && !s.condition.value) extra.push(`if: ${s.condition.expression}`);
  if (s.outcome === 'failure' && s.exitCode !== undefined) extra.push(`exit ${s.exitCode}`);
  if (s.outcome !== s.conclusion) extra.push(`continue-on-error → ${s.conclusion}`);
  if (s.error) extra.push(s.error);
  return `${MARK[s.outcome]} ${s.name}${via}${s.outcome === 'skipped' ? '' : ` ${seconds(s.durationMs)}`}${extra.length ? ` (${extra.join('; ')})` : ''}`;
}

/** The run as lines: workflow, then each job with its steps, outputs and annotations. */
export function formatTimeline(trace: WorkflowTrace, options: TimelineOptions = {}): string {
  const sha = String(trace.github.sha ?? '').slice(0, 7);
  const out = [`▶ ${trace.name}${trace.runName ? ` — ${trace.runName}` : ''} (${trace.event}, ${String(trace.github.ref ?? '')} @ ${sha})`];
  if (!trace.triggered) {
    out.push(`  not triggered: ${trace.notTriggeredReason ?? ''}`);
    return out.join('\n');
  }
  for (const job of trace.jobs) {
    const head = `  ${MARK[job.result]} ${job.id}${job.name !== job.id ? ` “${job.name}”` : ''} ${job.result}`;
    if (job.result === 'skipped') {
      out.push(`${head} (if: ${job.condition.expression})`);
      continue;
    }
    out.push(`${head} ${seconds(job.durationMs)}${job.error ? ` (${job.error})` : ''}`);
    for (const s of job.steps) {
      out.push(`      ${stepLine(s)}`);
      for (const a of s.annotations) out.push(`          ${a.level}: ${a.message.split('\n')[0]}`);
      if (options.outputs) for (const [k, v] of Object.entries(s.outputs)) out.push(`          ${k} = ${v.length > 120 ? `${v.slice(0, 117)}...` : v}`);
      if (options.logs && s.outcome !== 'skipped') {
        for (const line of `${s.stdout}${s.stderr}`.split('\n').filter(Boolean)) out.push(`          │ ${line}`);
      }
    }
    const outputs = Object.entries(job.outputs).filter(([, v]) => v !== '');
    if (outputs.length) out.push(`      outputs: ${outputs.map(([k, v]) => `${k}=${v.length > 60 ? `${v.slice(0, 57)}...` : v}`).join(', ')}`);
  }
  out.push(`■ ${trace.name}: ${trace.conclusion} in ${seconds(trace.durationMs)}`);
  return out.join('\n');
}
