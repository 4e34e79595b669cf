// Bundles every action entry (src/actions/<name>/index.ts) into dist/<name>/index.js with @vercel/ncc.
// Usage: node script/build.mjs [--out DIR] [name ...]   (--out lets CI build elsewhere and diff against dist/)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
let out = join(root, 'dist');
const names = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--out') out = args[++i];
  else names.push(args[i]);
}
const all = readdirSync(join(root, 'src/actions')).filter((n) => existsSync(join(root, 'src/actions', n, 'index.ts')));
const targets = names.length ? names : all;
const ncc = join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js');
for (const name of targets) {
  const dest = join(out, name);
  rmSync(dest, { recursive: true, force: true });
  const r = spawnSync(process.execPath, [ncc, 'build', join(root, 'src/actions', name, 'index.ts'), '-o', dest, '-m', '-q', '--license', 'licenses.txt', '--target', 'es2023'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    console.error(`build failed for ${name}`);
    process.exit(1);
  }
  console.log(`built dist/${name}`);
}
