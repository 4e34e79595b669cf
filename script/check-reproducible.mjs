// Proves dist/ is reproducible: builds the working tree N times, each from a copy of the sources in a
// different folder (different names and depths, as different clones are), and checks that
//   1. every build is byte-identical to the others and to the committed dist/, and
//   2. no bundle's module names (webpack stats) contain a path that depends on where the build ran:
//      module ids are hashes of those names, so such a name makes ids differ only now and then (a hash
//      collision re-rolls an id), which a byte comparison of a few builds can miss.
// Usage: node script/check-reproducible.mjs [--builds N] [--jobs J]     (default 2 builds, 2 at a time)
// Exit 0 when reproducible and in sync; 1 with the reason otherwise.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const builds = opt('--builds', 2);
const jobs = opt('--jobs', 2);
if (!(builds >= 1) || !(jobs >= 1)) {
  console.error('usage: node script/check-reproducible.mjs [--builds N] [--jobs J]');
  process.exit(1);
}

// What a build reads: the sources and the build set-up. node_modules is hard-linked, not symlinked: webpack
// resolves symlinks, so a symlinked node_modules would be named by its real path, which no clone has.
// LICENSE too: ncc copies greenline's own licence into each bundle's licenses.txt.
const inputs = ['src', 'script', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'LICENSE'];
const scratch = mkdtempSync(join(tmpdir(), 'greenline-repro-'));
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }));

function prepare(i) {
  // Folder names and depths differ from build to build, like clones in different places.
  const dir = join(scratch, ...Array.from({ length: i + 1 }, (_, k) => `clone${i}-${k}`));
  mkdirSync(dir, { recursive: true });
  for (const entry of inputs) cpSync(join(root, entry), join(dir, entry), { recursive: true });
  const cp = spawnSync('cp', ['-al', join(root, 'node_modules'), join(dir, 'node_modules')]);
  if (cp.status !== 0) cpSync(join(root, 'node_modules'), join(dir, 'node_modules'), { recursive: true, verbatimSymlinks: true });
  return dir;
}

function build(dir) {
  return new Promise((resolveBuild) => {
    const child = spawn(process.execPath, [join(dir, 'script/build.mjs'), '--out', join(dir, 'out'), '--stats', join(dir, 'stats')], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolveBuild({ dir, code, err }));
  });
}

function files(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

/** The first difference between two folders, or '' when they are byte-identical. */
function firstDifference(a, b) {
  const fa = files(a);
  const fb = files(b);
  if (fa.join('\n') !== fb.join('\n')) return `the file lists differ (${fa.length} vs ${fb.length} files)`;
  for (const f of fa) {
    const x = readFileSync(join(a, f));
    const y = readFileSync(join(b, f));
    if (!x.equals(y)) {
      let at = 0;
      while (at < x.length && x[at] === y[at]) at++;
      return `${f} differs at byte ${at}: …${x.subarray(Math.max(0, at - 40), at + 40)}… vs …${y.subarray(Math.max(0, at - 40), at + 40)}…`;
    }
  }
  return '';
}

/** Module names that carry a place: an absolute path, the private build folder, or the clone's own folder. */
function placeBoundNames(dir) {
  const bad = [];
  for (const f of readdirSync(join(dir, 'stats'))) {
    const stats = JSON.parse(readFileSync(join(dir, 'stats', f), 'utf8'));
    for (const m of stats.modules ?? []) {
      const name = String(m.name ?? '');
      if (name.includes('.tmp/build-') || name.includes(dir) || /^\/|^[A-Za-z]:\\/.test(name)) bad.push(`${f}: ${name}`);
    }
  }
  return bad;
}

const dirs = Array.from({ length: builds }, (_, i) => prepare(i));
const results = [];
for (let i = 0; i < dirs.length; i += jobs) results.push(...(await Promise.all(dirs.slice(i, i + jobs).map(build))));

let failed = false;
for (const r of results) {
  if (r.code !== 0) {
    console.error(`build in ${r.dir} failed (exit ${r.code}):\n${r.err}`);
    process.exit(1);
  }
  const bad = placeBoundNames(r.dir);
  if (bad.length) {
    console.error(`not reproducible: module names depend on the build folder, so module ids can change from build to build:\n  ${bad.slice(0, 5).join('\n  ')}`);
    failed = true;
    break;
  }
}
for (let i = 1; i < results.length && !failed; i++) {
  const diff = firstDifference(join(results[0].dir, 'out'), join(results[i].dir, 'out'));
  if (diff) {
    console.error(`not reproducible: build 1 and build ${i + 1} differ: ${diff}`);
    failed = true;
  }
}
if (failed) process.exit(1);
const stale = firstDifference(join(root, 'dist'), join(results[0].dir, 'out'));
if (stale) {
  console.error(`dist/ is out of date: run 'npm run build' and commit dist/ (${stale})`);
  process.exit(1);
}
console.log(`reproducible: ${builds} builds in different folders are byte-identical to dist/`);
