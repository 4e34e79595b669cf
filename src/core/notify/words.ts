/** "run 123" for a workflow run URL (…/actions/runs/123), else "the run". */
export function runName(runUrl: string): string {
  const m = /\/actions\/runs\/(\d+)/.exec(runUrl);
  return m ? `run ${m[1]}` : 'the run';
}
