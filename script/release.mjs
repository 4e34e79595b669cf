// script/release X.Y.Z [--dry-run] [--remote NAME]
//
// Cuts release X.Y.Z from the current branch:
//   1. checks, before anything changes: a clean tree, a semver version greater than package.json's and than every
//      vX.Y.* tag, no tag vX.Y.Z yet (here or on the remote), the branch not behind the remote, and dist/
//      byte-identical to a fresh build of the sources (a stale dist/ would ship code nobody reviewed as built);
//   2. sets the version in package.json and package-lock.json, moves CHANGELOG.md's [Unreleased] entries under
//      "## [X.Y.Z] - <date>", commits "release: vX.Y.Z";
//   3. tags vX.Y.Z (annotated) and moves the major tag vX to it — unless X.Y.Z is a pre-release or older than the
//      newest vX.*.* (a back-port) — and touches no other ref;
//   4. pushes the branch (fast-forward only), vX.Y.Z and vX in one atomic push with explicit refspecs; only
//      refs/tags/vX is forced. If the push is refused, the local commit and tags are undone.
// --dry-run runs every check and prints what would happen; it changes nothing (the remote is read with
// git ls-remote, never fetched).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?$/;

class Refused extends Error {}
const refuse = (why) => {
  throw new Refused(why);
};

function git(args, { allowFail = false } = {}) {
  const r = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  if (r.status !== 0 && !allowFail) throw new Error(`git ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return allowFail ? { ok: r.status === 0, out: r.stdout.trim(), err: r.stderr.trim() } : r.stdout.trim();
}

/** Semver order (pre-releases before their release, identifiers compared as semver says). */
function compare(a, b) {
  const pa = SEMVER.exec(a);
  const pb = SEMVER.exec(b);
  for (let i = 1; i <= 3; i++) if (+pa[i] !== +pb[i]) return +pa[i] - +pb[i];
  if (!pa[4] || !pb[4]) return (pa[4] ? -1 : 0) - (pb[4] ? -1 : 0);
  const xa = pa[4].split('.');
  const xb = pb[4].split('.');
  for (let i = 0; i < Math.max(xa.length, xb.length); i++) {
    if (xa[i] === undefined) return -1;
    if (xb[i] === undefined) return 1;
    const na = /^\d+$/.test(xa[i]);
    const nb = /^\d+$/.test(xb[i]);
    if (na && nb && +xa[i] !== +xb[i]) return +xa[i] - +xb[i];
    if (na !== nb) return na ? -1 : 1;
    if (xa[i] !== xb[i]) return xa[i] < xb[i] ? -1 : 1;
  }
  return 0;
}

function parseArgs(argv) {
  const out = { version: '', dryRun: false, remote: 'origin' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dry-run') out.dryRun = true;
    else if (a === '--remote') out.remote = argv[++i] ?? '';
    else if (a.startsWith('-')) refuse(`unknown option ${a}`);
    else if (out.version) refuse(`one version only (got ${out.version} and ${a})`);
    else out.version = a;
  }
  if (!out.version) refuse('usage: script/release X.Y.Z [--dry-run] [--remote NAME]');
  if (!SEMVER.test(out.version)) refuse(`version "${out.version}" is not semver X.Y.Z (e.g. 1.2.3, or 1.3.0-rc.1; no leading v or zeros)`);
  if (!/^[\w.-]+$/.test(out.remote)) refuse(`remote "${out.remote}" is not a remote name`);
  return out;
}

const readJson = (f) => JSON.parse(readFileSync(join(root, f), 'utf8'));
const writeJson = (f, v) => writeFileSync(join(root, f), `${JSON.stringify(v, null, 2)}\n`);

/** The CHANGELOG with [Unreleased]'s entries under "## [version] - date" and a fresh, empty [Unreleased]. */
function releasedChangelog(text, version, date) {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => /^## \[Unreleased\]\s*$/i.test(l));
  if (at < 0) refuse('CHANGELOG.md has no "## [Unreleased]" section to release');
  let end = lines.findIndex((l, i) => i > at && /^## /.test(l));
  if (end < 0) end = lines.findIndex((l, i) => i > at && /^\[[^\]]+\]:\s/.test(l)); // link references at the end
  if (end < 0) end = lines.length;
  const entries = lines.slice(at + 1, end).filter((l) => l.trim() !== '');
  if (entries.length === 0) refuse('CHANGELOG.md: nothing under [Unreleased]: say what this release changes first');
  return [...lines.slice(0, at + 1), '', `## [${version}] - ${date}`, ...lines.slice(at + 1)].join('\n');
}

/**
 * What a build of dist/ reads, hashed: the tracked build inputs and dist/ at HEAD (the tree is clean, so HEAD is
 * the working tree), package.json and package-lock.json without their version (which no bundle contains), the installed packages and
 * the Node that builds. A key already verified (a dry run before the release) is not built again.
 */
function buildKey() {
  const h = createHash('sha256');
  h.update(git(['ls-tree', '-r', 'HEAD', '--', 'src', 'script/build.mjs', 'tsconfig.json', 'tsconfig.build.json', 'LICENSE', 'dist']));
  const pkg = readJson('package.json');
  delete pkg.version;
  h.update(JSON.stringify(pkg));
  if (existsSync(join(root, 'package-lock.json'))) {
    const lock = readJson('package-lock.json');
    delete lock.version;
    if (lock.packages?.['']) delete lock.packages[''].version;
    h.update(JSON.stringify(lock));
  }
  const installed = join(root, 'node_modules/.package-lock.json');
  h.update(existsSync(installed) ? readFileSync(installed) : 'no node_modules');
  h.update(process.version);
  return h.digest('hex');
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
  if (existsSync(dir)) walk(dir);
  return out;
}

/** Builds dist/ into a scratch folder and compares byte for byte; refuses with the first difference. */
function checkDist(log) {
  const key = buildKey();
  const cache = join(root, '.tmp', 'release-verified');
  if (existsSync(cache) && readFileSync(cache, 'utf8').split('\n').includes(key)) {
    log('dist/ is a fresh build of the sources (verified earlier for exactly these sources and dist/)');
    return;
  }
  log('building dist/ from the sources to compare (a minute or two)…');
  mkdirSync(join(root, '.tmp'), { recursive: true });
  const out = mkdtempSync(join(root, '.tmp', 'release-dist-'));
  try {
    const r = spawnSync(process.execPath, [join(root, 'script/build.mjs'), '--out', out], { cwd: root, encoding: 'utf8' });
    if (r.status !== 0) refuse(`dist/ could not be rebuilt: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
    const want = files(out);
    const have = files(join(root, 'dist'));
    const stale = [...new Set([...want, ...have])].filter((f) => !want.includes(f) || !have.includes(f) || !readFileSync(join(out, f)).equals(readFileSync(join(root, 'dist', f))));
    if (stale.length) refuse(`dist/ is stale: ${stale.slice(0, 5).join(', ')}${stale.length > 5 ? ', …' : ''} differ from a fresh build: run npm run build, commit dist/, then release`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  appendFileSync(cache, `${key}\n`);
  log('dist/ is a fresh build of the sources');
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const { version, dryRun, remote } = opts;
  const say = (line) => console.log(line);

  // 1. Everything is checked before anything changes.
  const dirty = git(['status', '--porcelain', '--untracked-files=normal']);
  if (dirty) refuse(`the working tree is not clean (commit or stash first):\n${dirty}`);
  const branch = git(['symbolic-ref', '--quiet', '--short', 'HEAD'], { allowFail: true });
  if (!branch.ok) refuse('HEAD is detached: check out the branch to release from');
  if (!git(['var', 'GIT_COMMITTER_IDENT'], { allowFail: true }).ok) refuse('git has no user.name / user.email to commit the release with');
  const remoteUrl = git(['remote', 'get-url', remote], { allowFail: true });
  if (!remoteUrl.ok) refuse(`no remote "${remote}" to push the release to`);

  const current = readJson('package.json').version;
  if (!SEMVER.test(current)) refuse(`package.json's version "${current}" is not semver`);
  if (compare(version, current) <= 0) refuse(`version ${version} is not greater than package.json's ${current}`);

  const ls = git(['ls-remote', '--heads', '--tags', remote], { allowFail: true });
  if (!ls.ok) refuse(`cannot read remote "${remote}": ${ls.err}`);
  const remoteRefs = new Map(ls.out.split('\n').filter(Boolean).map((l) => l.split('\t').reverse()));
  const localTags = git(['tag', '--list', 'v*']).split('\n').filter(Boolean);
  const remoteTags = [...remoteRefs.keys()].filter((r) => r.startsWith('refs/tags/') && !r.endsWith('^{}')).map((r) => r.slice('refs/tags/'.length));
  const tags = [...new Set([...localTags, ...remoteTags])];
  const tag = `v${version}`;
  if (tags.includes(tag)) refuse(`tag ${tag} already exists${remoteTags.includes(tag) ? ` on ${remote}` : ''}`);
  const [major, minor] = SEMVER.exec(version).slice(1, 3);
  const releases = tags.filter((t) => t.startsWith('v') && SEMVER.test(t.slice(1))).map((t) => t.slice(1));
  const sameLine = releases.filter((v) => v.startsWith(`${major}.${minor}.`) && compare(v, version) > 0);
  if (sameLine.length) refuse(`version ${version} is not greater than the released ${sameLine.sort(compare).at(-1)}`);

  const remoteHead = remoteRefs.get(`refs/heads/${branch.out}`);
  const head = git(['rev-parse', 'HEAD']);
  if (remoteHead && remoteHead !== head) {
    const known = git(['cat-file', '-e', `${remoteHead}^{commit}`], { allowFail: true }).ok;
    if (!known || !git(['merge-base', '--is-ancestor', remoteHead, 'HEAD'], { allowFail: true }).ok) {
      refuse(`${branch.out} is behind or has diverged from ${remote}/${branch.out}: pull first (the release never force-pushes a branch)`);
    }
  }

  const date = new Date().toISOString().slice(0, 10);
  const changelog = releasedChangelog(readFileSync(join(root, 'CHANGELOG.md'), 'utf8'), version, date);
  checkDist(say); // last: the one check that takes minutes

  // vX moves only for the newest release of major X that is not a pre-release.
  const majorTag = `v${major}`;
  const isPre = SEMVER.exec(version)[4] !== undefined;
  const newer = releases.filter((v) => v.startsWith(`${major}.`) && !SEMVER.exec(v)[4] && compare(v, version) > 0).sort(compare);
  const moveMajor = !isPre && newer.length === 0;
  const majorWas = git(['rev-parse', '--verify', '--quiet', `refs/tags/${majorTag}^{commit}`], { allowFail: true });
  const majorRemote = remoteRefs.get(`refs/tags/${majorTag}^{}`) ?? remoteRefs.get(`refs/tags/${majorTag}`);
  const refspecs = [`refs/heads/${branch.out}:refs/heads/${branch.out}`, `refs/tags/${tag}:refs/tags/${tag}`, ...(moveMajor ? [`+refs/tags/${majorTag}:refs/tags/${majorTag}`] : [])];

  const w = dryRun ? 'would ' : '';
  say(`release ${tag} (package.json ${current} → ${version}) from ${branch.out} at ${head.slice(0, 7)}`);
  say(`  ${w}set version ${version} in package.json and package-lock.json`);
  say(`  ${w}move CHANGELOG.md's [Unreleased] entries under "## [${version}] - ${date}"`);
  say(`  ${w}commit "release: ${tag}" on ${branch.out}`);
  say(`  ${w}create tag ${tag} on that commit`);
  if (moveMajor) {
    const from = majorRemote ?? (majorWas.ok ? majorWas.out : '');
    say(from ? `  ${w}move tag ${majorTag} from ${from.slice(0, 7)} to ${tag}` : `  ${w}create tag ${majorTag} on ${tag}`);
  } else {
    say(`  ${majorTag} stays: ${isPre ? `${tag} is a pre-release` : `v${newer.at(-1)} is newer`}`);
  }
  say(`  ${w}push to ${remote} (${remoteUrl.out}), atomically: ${refspecs.join(' ')}`);
  if (dryRun) {
    say('dry run: nothing changed');
    return;
  }

  // 2–3. The release commit and the tags.
  const pkg = readJson('package.json');
  pkg.version = version;
  writeJson('package.json', pkg);
  if (existsSync(join(root, 'package-lock.json'))) {
    const lock = readJson('package-lock.json');
    lock.version = version;
    if (lock.packages?.['']) lock.packages[''].version = version;
    writeJson('package-lock.json', lock);
  }
  writeFileSync(join(root, 'CHANGELOG.md'), changelog);
  git(['add', '--', 'package.json', 'CHANGELOG.md', ...(existsSync(join(root, 'package-lock.json')) ? ['package-lock.json'] : [])]);
  git(['commit', '--quiet', '-m', `release: ${tag}`]);
  git(['tag', '--annotate', '--message', `greenline ${tag}`, tag]);
  if (moveMajor) git(['tag', '--force', majorTag, `${tag}^{commit}`]);

  // 4. One atomic push: all refs move, or none.
  const push = git(['push', '--atomic', '--porcelain', remote, ...refspecs], { allowFail: true });
  if (!push.ok) {
    git(['tag', '--delete', tag]);
    if (moveMajor) git(majorWas.ok ? ['tag', '--force', majorTag, majorWas.out] : ['tag', '--delete', majorTag]);
    git(['reset', '--quiet', '--keep', head]);
    refuse(`the push to ${remote} was refused, nothing was released (the local commit and tags are undone):\n${[push.out, push.err].filter(Boolean).join('\n')}`);
  }
  say(`released ${tag}: ${remote} has ${refspecs.map((r) => r.replace(/^\+?refs\/(heads|tags)\//, '').split(':')[0]).join(', ')}`);
  say(`next: publish a GitHub release from the tag (gh release create ${tag} --verify-tag --notes-from-tag, or the web UI)`);
}

try {
  main();
} catch (error) {
  console.error(`release: ${error instanceof Refused ? error.message : error.stack}`);
  process.exit(1);
}
