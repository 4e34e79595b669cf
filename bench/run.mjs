// Entry for `npm run bench`: runs bench/run.ts on the project's Node 24 with the .js→.ts resolve hook.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
const node = join(import.meta.dirname, '..', 'node_modules', '.bin', 'node');
const r = spawnSync(node, ['--import', join(import.meta.dirname, 'register.mjs'), join(import.meta.dirname, 'run.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
