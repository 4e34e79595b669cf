// Bundles every action entry (src/actions/<name>/index.ts) into dist/<name>/index.js with @vercel/ncc.
// Usage: node script/build.mjs [--out DIR] [--stats DIR] [name ...]
//   --out lets CI build elsewhere and diff against dist/; --stats writes webpack's stats per bundle
//   (<DIR>/<name>.json) so script/check-reproducible.mjs can see what each module was named.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
let out = join(root, 'dist');
let stats = '';
const names = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--out') out = resolve(args[++i]); // absolute: ncc runs in the build folder
  else if (args[i] === '--stats') mkdirSync((stats = resolve(args[++i])), { recursive: true });
  else names.push(args[i]);
}
const all = readdirSync(join(root, 'src/actions')).filter((n) => existsSync(join(root, 'src/actions', n, 'index.ts')));
const targets = names.length ? names : all;
const ncc = join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js');
// Transpile src/ once with tsc (ESM, NodeNext: the same checks as the typecheck), then bundle the JS with ncc.
// A private folder per build (inside the repo so package.json's "type": "module" applies): parallel builds never collide.
mkdirSync(join(root, '.tmp'), { recursive: true });
const built = mkdtempSync(join(root, '.tmp', 'build-'));
process.on('exit', () => rmSync(built, { recursive: true, force: true }));
const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', built], { cwd: root, stdio: 'inherit' });
// Type errors are the typecheck step's job (script/test runs it first); emitting anyway keeps one
// engineer's half-finished file from blocking everyone else's bundle.
if (tsc.status !== 0) console.error('build: tsc reported type errors (bundling what was emitted)');
for (const name of targets) {
  const dest = join(out, name);
  rmSync(dest, { recursive: true, force: true });
  const r = spawnSync(process.execPath, [ncc, 'build', join(built, 'src/actions', name, 'index.js'), '-o', dest, '-m', '-q', '--no-cache', '--license', 'licenses.txt', '--target', 'es2023', ...(stats ? ['--stats-out', join(stats, `${name}.json`)] : [])], {
    // webpack names each module by its path relative to the working directory, and numbers modules by
    // hashing those names (colliding hashes are re-rolled in name order). Run from inside the private build
    // folder, our modules are './src/…' and dependencies '../../node_modules/…' whatever the folder is
    // called; run from the repository root, the random folder name entered every hash, and about one
    // build in four renumbered a dependency (e.g. undici's redirect interceptor: r(1514) vs r(9133)).
    cwd: built,
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    console.error(`build failed for ${name}`);
    process.exit(1);
  }
  console.log(`built dist/${name}`);
}
