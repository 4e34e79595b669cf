import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Seed 000's one-liner, verbatim but for the file, which is "$1" (never interpolated into the script). */
export const SEED_ONE_LINER = `grep -B 3 "Status: ✅ Tests Passed" "$1" | grep "Commit:" | tail -1 | awk '{print $2}'`;

/** Runs the seed's one-liner for real (bash, grep, awk) on a ledger text; its trimmed output ('' for none). */
export async function seedOneLiner(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'greenline-oneliner-'));
  try {
    const file = join(dir, 'ML_EXPERIMENT_RESULTS.md');
    await writeFile(file, text);
    const { stdout } = await run('bash', ['-c', SEED_ONE_LINER, 'one-liner', file], { env: { ...process.env, LC_ALL: 'C.UTF-8' } });
    return stdout.trim();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
