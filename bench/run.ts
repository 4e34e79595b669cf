// Runs every bench/<name>.bench.ts in one process, one after another, and prints one table of ratios.
// `npm run bench` for the full run; `--quick` (CI) only checks that each benchmark still runs.
import { readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { Bench, BenchRow } from './types.js';

const quick = process.argv.includes('--quick');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const files = readdirSync(import.meta.dirname)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();

const rows: BenchRow[] = [];
let failed = false;
for (const file of files) {
  const started = Date.now();
  try {
    const mod = (await import(join(import.meta.dirname, file))) as { default: Bench };
    const got = await mod.default({ quick });
    rows.push(...got);
    console.error(`bench ${file}: ${got.length} rows in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    failed = true;
    console.error(`bench ${file} FAILED: ${(error as Error).stack ?? error}`);
  }
}

const fmt = (r: BenchRow) => [r.bench, r.metric, r.value, r.peer, r.ratio === undefined ? '' : `${r.ratio.toFixed(2)}×`, r.goal, r.met === undefined ? '' : r.met ? 'met' : 'missed'];
const header = ['bench', 'metric', 'value', 'peer', 'ratio', 'goal', ''];
console.log(`\ngreenline benchmarks${quick ? ' (quick mode: checks they run, numbers mean nothing)' : ''}`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, ${new Date().toISOString().slice(0, 10)}\n`);
console.log(`| ${header.join(' | ')} |`);
console.log(`| ${header.map(() => '---').join(' | ')} |`);
for (const r of rows) console.log(`| ${fmt(r).join(' | ')} |`);
if (failed) process.exit(1);
