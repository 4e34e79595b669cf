// Line coverage of src/ over the whole suite: what the tests run in-process (vitest's v8 coverage) plus what the
// e2e tests run through the bundles in dist/, in child processes vitest does not see.
//
//   node script/coverage.mjs prepare [action ...]
//                                      builds the bundles again with source maps into .tmp/coverage/maps (the
//                                      bundles are the bytes of dist/ plus a trailing sourceMappingURL comment:
//                                      checked, so a map never describes code other than what ran) and empties
//                                      .tmp/coverage/raw; the test harness gives each bundle it runs
//                                      NODE_V8_COVERAGE=<that folder> when GREENLINE_CHILD_COVERAGE names it.
//   node script/coverage.mjs report [--uncovered src/x.ts]
//                                      merges both and fails under THRESHOLD (percent of lines of src/);
//                                      --uncovered lists one file's lines that nothing ran.
//
// What a "line" is comes from vitest's report (the lines that start a statement, as istanbul counts them): a
// line is covered when an in-process test ran it, or when some bundle run executed code mapped to it (V8's
// block coverage: the innermost range around the code has a count above zero). Lines vitest does not list
// (comments, types) never count, so the two sources share one denominator.
//
// GREENLINE_COVERAGE_WORK (default .tmp/coverage) and GREENLINE_COVERAGE_REPORTS (default coverage/, where vitest
// writes coverage-final.json) move the folders, for the test of this script.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Percent of src/ lines; set from the figure measured on 2026-12-02 (see the README's "Coverage"). */
const THRESHOLD = 94;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = process.env.GREENLINE_COVERAGE_WORK || join(root, '.tmp', 'coverage');
const reports = process.env.GREENLINE_COVERAGE_REPORTS || join(root, 'coverage');
const maps = join(work, 'maps');
const raw = join(work, 'raw');
const SOURCE_MAP_COMMENT = /\n?\/\/# sourceMappingURL=[^\n]*\n?$/;

const command = process.argv[2];
if (command === 'prepare') prepare(process.argv.slice(3));
else if (command === 'report') await report();
else {
  console.error('usage: node script/coverage.mjs prepare|report');
  process.exit(2);
}

function prepare(names) {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(raw, { recursive: true });
  const r = spawnSync(process.execPath, [join(root, 'script/build.mjs'), '--out', maps, '--source-map', ...names], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`coverage: the source-map build failed\n${r.stdout}${r.stderr}`);
  for (const [name, file] of bundles(maps)) {
    const mapped = readFileSync(join(maps, name, file), 'utf8').replace(SOURCE_MAP_COMMENT, '');
    const shipped = readFileSync(join(root, 'dist', name, file), 'utf8');
    if (mapped !== shipped) throw new Error(`coverage: dist/${name}/${file} differs from a fresh build (rebuild dist/ first: node script/build.mjs)`);
  }
  console.log(`coverage: source maps for ${bundles(maps).length} bundle files in ${relative(root, maps)}`);
}

/** [action, file] for every .js file with a map under `dir`. */
function bundles(dir) {
  return readdirSync(dir).flatMap((name) =>
    existsSync(join(dir, name)) && !name.includes('.')
      ? readdirSync(join(dir, name))
          .filter((f) => f.endsWith('.js') && existsSync(join(dir, name, `${f}.map`)))
          .map((f) => [name, f])
      : [],
  );
}

/** Offsets in `text` where each generated line starts. */
function lineStarts(text) {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/**
 * For one bundle file: its mapping segments that land in src/, as parallel arrays sorted by generated offset
 * (offsets, and the index of "file:line" they map to), and the list of those keys.
 */
async function segmentsOf(name, file, decode) {
  const map = JSON.parse(readFileSync(join(maps, name, `${file}.map`), 'utf8'));
  const text = readFileSync(join(root, 'dist', name, file), 'utf8');
  const starts = lineStarts(text);
  const src = `${join(root, 'src')}/`;
  const keys = [];
  const keyIndex = new Map();
  const offsets = [];
  const lines = [];
  decode(map.mappings).forEach((segments, genLine) => {
    for (const seg of segments) {
      if (seg.length < 4) continue;
      const source = map.sources[seg[1]];
      if (!source?.startsWith(src)) continue;
      const key = `${source}:${seg[2] + 1}`;
      let k = keyIndex.get(key);
      if (k === undefined) keyIndex.set(key, (k = keys.push(key) - 1));
      offsets.push(starts[genLine] + seg[0]);
      lines.push(k);
    }
  });
  const order = offsets.map((_, i) => i).sort((a, b) => offsets[a] - offsets[b]);
  return { offsets: Int32Array.from(order, (i) => offsets[i]), lines: Int32Array.from(order, (i) => lines[i]), keys };
}

/** First index in sorted `a` with a[i] >= x. */
function lowerBound(a, x) {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

async function report() {
  const final = join(reports, 'coverage-final.json');
  if (!existsSync(final)) throw new Error(`coverage: ${relative(root, final)} is missing (vitest run --coverage writes it)`);
  const { decode } = await import('@jridgewell/sourcemap-codec');
  const at = process.argv.indexOf('--uncovered');
  const uncovered = at > 0 ? process.argv[at + 1] : undefined;

  // 1. Lines executed by the bundles, over every child process.
  const byUrl = new Map();
  for (const [name, file] of existsSync(maps) ? bundles(maps) : []) byUrl.set(pathToFileURL(join(root, 'dist', name, file)).href, { name, file });
  const loaded = new Map();
  const childLines = new Set();
  let runs = 0;
  for (const f of existsSync(raw) ? readdirSync(raw) : []) {
    if (!f.endsWith('.json')) continue;
    runs++;
    const { result } = JSON.parse(readFileSync(join(raw, f), 'utf8'));
    for (const script of result) {
      const bundle = byUrl.get(script.url);
      if (!bundle) continue;
      let seg = loaded.get(script.url);
      if (!seg) loaded.set(script.url, (seg = await segmentsOf(bundle.name, bundle.file, decode)));
      // Paint counts over the segments, outer ranges first: V8's ranges nest, the innermost decides.
      const ranges = script.functions.flatMap((fn) => fn.ranges).sort((a, b) => a.startOffset - b.startOffset || b.endOffset - a.endOffset);
      const count = new Int32Array(seg.offsets.length).fill(-1);
      for (const r of ranges) count.fill(r.count > 0 ? 1 : 0, lowerBound(seg.offsets, r.startOffset), lowerBound(seg.offsets, r.endOffset));
      for (let i = 0; i < count.length; i++) if (count[i] === 1) childLines.add(seg.keys[seg.lines[i]]);
    }
  }

  // 2. vitest's lines (the denominator), covered in-process or by a bundle.
  const coverage = JSON.parse(readFileSync(final, 'utf8'));
  const files = [];
  let total = 0;
  let covered = 0;
  let inProcess = 0;
  for (const [path, fc] of Object.entries(coverage)) {
    const lines = new Map();
    for (const [id, loc] of Object.entries(fc.statementMap)) {
      const line = loc.start.line;
      lines.set(line, Math.max(lines.get(line) ?? 0, fc.s[id]));
    }
    let fileCovered = 0;
    const missed = [];
    for (const [line, hits] of lines) {
      if (hits > 0) inProcess++;
      if (hits > 0 || childLines.has(`${path}:${line}`)) fileCovered++;
      else missed.push(line);
    }
    if (uncovered && relative(root, path) === uncovered) {
      const text = readFileSync(path, 'utf8').split('\n');
      for (const line of missed.sort((a, b) => a - b)) console.log(`${uncovered}:${line}: ${text[line - 1]?.trim()}`);
    }
    total += lines.size;
    covered += fileCovered;
    files.push({ file: relative(root, path), lines: lines.size, covered: fileCovered });
  }
  const pct = (n, d) => (d === 0 ? 100 : (100 * n) / d);
  const figure = pct(covered, total);
  const summary = {
    threshold: THRESHOLD,
    lines: { total, covered, pct: Number(figure.toFixed(2)) },
    inProcessOnly: { covered: inProcess, pct: Number(pct(inProcess, total).toFixed(2)) },
    bundleRuns: runs,
    files: files.sort((a, b) => pct(a.covered, a.lines) - pct(b.covered, b.lines)),
  };
  writeFileSync(join(reports, 'combined-summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  console.log('== coverage of src/ (lines: in-process tests + bundle runs)');
  for (const f of summary.files.slice(0, 12)) console.log(`  ${pct(f.covered, f.lines).toFixed(1).padStart(5)} %  ${f.file} (${f.covered}/${f.lines})`);
  console.log(`  in-process alone: ${summary.inProcessOnly.pct} %; with ${runs} bundle runs: ${summary.lines.pct} % of ${total} lines (threshold ${THRESHOLD} %)`);
  if (figure < THRESHOLD) {
    console.error(`coverage: ${figure.toFixed(2)} % of src/ lines is under the threshold of ${THRESHOLD} % (script/coverage.mjs)`);
    process.exit(1);
  }
}
