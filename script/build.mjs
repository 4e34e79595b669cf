// Bundles every action entry (src/actions/<name>/index.ts) into dist/<name>/index.js with @vercel/ncc.
// Usage: node script/build.mjs [--out DIR] [--stats DIR] [--source-map] [name ...]
//   --out lets CI build elsewhere and diff against dist/; --stats writes webpack's stats per bundle
//   (<DIR>/<name>.json) so script/check-reproducible.mjs can see what each module was named.
//   --source-map (with --out, never into dist/) also writes <bundle>.js.map, mapped back through tsc's output to
//   src/*.ts by absolute path: script/coverage.mjs reads the e2e runs of dist/ with them. The bundle itself is
//   the same bytes plus a trailing sourceMappingURL comment (script/coverage.mjs checks that before it uses a map).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
let out = join(root, 'dist');
let stats = '';
let sourceMap = false;
const names = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--out') out = resolve(args[++i]); // absolute: ncc runs in the build folder
  else if (args[i] === '--stats') mkdirSync((stats = resolve(args[++i])), { recursive: true });
  else if (args[i] === '--source-map') sourceMap = true;
  else names.push(args[i]);
}
const all = readdirSync(join(root, 'src/actions')).filter((n) => existsSync(join(root, 'src/actions', n, 'index.ts')));
const targets = names.length ? names : all;
if (sourceMap && out === join(root, 'dist')) {
  console.error('build: --source-map needs --out (dist/ is committed without maps)');
  process.exit(2);
}
const ncc = join(root, 'node_modules/@vercel/ncc/dist/ncc/cli.js');
// Transpile src/ once with tsc (ESM, NodeNext: the same checks as the typecheck), then bundle the JS with ncc.
// A private folder per build (inside the repo so package.json's "type": "module" applies): parallel builds never collide.
mkdirSync(join(root, '.tmp'), { recursive: true });
const built = mkdtempSync(join(root, '.tmp', 'build-'));
process.on('exit', () => rmSync(built, { recursive: true, force: true }));
const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', built, ...(sourceMap ? ['--sourceMap'] : [])], { cwd: root, stdio: 'inherit' });
// Type errors are the typecheck step's job (script/test runs it first); emitting anyway keeps one
// engineer's half-finished file from blocking everyone else's bundle.
if (tsc.status !== 0) console.error('build: tsc reported type errors (bundling what was emitted)');
// tsc's last line, `//# sourceMappingURL=x.js.map`, would be carried into the bundle: drop it (the maps stay beside
// the files for composeMaps), so the bundle is the bytes of a build without maps.
if (sourceMap) for (const file of readdirSync(built, { recursive: true })) {
  if (!String(file).endsWith('.js')) continue;
  const path = join(built, String(file));
  writeFileSync(path, readFileSync(path, 'utf8').replace(/\n\/\/# sourceMappingURL=[^\n]*\n?$/, '\n'));
}
for (const name of targets) {
  const dest = join(out, name);
  rmSync(dest, { recursive: true, force: true });
  const r = spawnSync(process.execPath, [ncc, 'build', join(built, 'src/actions', name, 'index.js'), '-o', dest, '-m', '-q', '--no-cache', '--license', 'licenses.txt', '--target', 'es2023', ...(sourceMap ? ['--source-map', '--no-source-map-register'] : []), ...(stats ? ['--stats-out', join(stats, `${name}.json`)] : [])], {
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
  await minifyChunks(dest);
  if (sourceMap) await composeMaps(dest);
  console.log(`built ${dest === join(root, 'dist', name) ? `dist/${name}` : dest}`);
}

/**
 * ncc's -m minifies the entry file only; the chunks webpack splits off at each dynamic import() (run() and what
 * it loads, Octokit…) are minified here as ncc minifies the entry: terser, no compression, names kept.
 */
async function minifyChunks(dir) {
  const { minify } = await import('terser');
  for (const file of readdirSync(dir).filter((f) => /^\d+\.index\.js$/.test(f))) {
    const path = join(dir, file);
    const mapPath = `${path}.map`;
    const withMap = existsSync(mapPath);
    const code = readFileSync(path, 'utf8').replace(/\n?\/\/# sourceMappingURL=[^\n]*\n?$/, '');
    const result = await minify(code, {
      module: true,
      compress: false,
      mangle: { keep_classnames: true, keep_fnames: true },
      sourceMap: withMap ? { content: readFileSync(mapPath, 'utf8'), url: `${file}.map` } : false,
    });
    if (result.code === undefined) throw new Error(`build: terser returned nothing for ${path}`);
    writeFileSync(path, result.code);
    if (withMap) writeFileSync(mapPath, String(result.map));
  }
}

/** Rewrites each bundle map in `dir` to point at src/*.ts (through tsc's maps), with absolute source paths. */
async function composeMaps(dir) {
  const { default: remapping } = await import('@jridgewell/remapping');
  const { decode, encode } = await import('@jridgewell/sourcemap-codec');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.js.map'))) {
    const mapFile = join(dir, file);
    const bundleMap = JSON.parse(readFileSync(mapFile, 'utf8'));
    // ncc names sources '../' + their path from the folder it ran in (the private build folder).
    const inBuild = (source) => resolve(built, source.replace(/^\.\.\//, ''));
    const composed = remapping(bundleMap, (source) => {
      const js = inBuild(source);
      if (!js.startsWith(`${built}/src/`) || !existsSync(`${js}.map`)) return null;
      const tscMap = JSON.parse(readFileSync(`${js}.map`, 'utf8'));
      // webpack maps the transpiled file line by line from column 0, where tsc's first segment of a line sits
      // after the indentation: a lookup there would find nothing. Start each line's mapping at column 0.
      tscMap.mappings = encode(decode(tscMap.mappings).map((line) => (line.length && line[0][0] > 0 ? [[0, ...line[0].slice(1, 4)], ...line] : line)));
      tscMap.sources = tscMap.sources.map((s) => resolve(dirname(js), s).replace(built, root));
      tscMap.sourcesContent = undefined;
      return tscMap;
    });
    composed.sources = composed.sources.map((s) => (s && !s.startsWith('/') ? inBuild(s) : s));
    writeFileSync(mapFile, JSON.stringify(composed));
  }
}
