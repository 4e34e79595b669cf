import { type HealthView, renderHealthReport } from './health-report.js';
import { capChars, humanDuration, inline, link, quoted, runLabel, shortSha, utc } from './markdown.js';
import { encodeMarker, markerLineIndex, type IncidentKind, type IncidentState, type TimelineEntry } from './state.js';

/** GitHub rejects issue bodies over 65,536 characters (422); greenline stays a little below. */
export const GITHUB_BODY_LIMIT = 65_536;
export const BODY_BUDGET = 65_000;
/** Caps that keep the fixed parts small enough for the timeline to always have room. */
export const CAP_HEALTH = 16_000;
export const CAP_DETAILS = 12_000;

/** Where the incident happened: plain values read from the run's context. */
export interface IncidentPlace {
  owner: string;
  repo: string;
  serverUrl: string;
  branch: string;
  workflow: string;
  job: string;
}

export interface RenderInput {
  state: IncidentState;
  place: IncidentPlace;
  /** This run's health report; when absent, the section of `previousBody` is kept. */
  health?: HealthView;
  /** This run's details (untrusted markdown); when absent, the section of `previousBody` is kept. */
  details?: string;
  /** The current body of the issue: sections people own (and earlier reports) are carried over. */
  previousBody?: string;
}

export const KIND_PHRASE: Record<IncidentKind, string> = {
  rollback: 'rollback',
  health: 'failed health check',
  failure: 'failure',
};

/** The status a run records when the health report gives none. */
export const KIND_STATUS: Record<IncidentKind, string> = {
  rollback: 'ROLLED BACK',
  health: 'UNHEALTHY',
  failure: 'FAILED',
};

const begin = (name: string) => `<!-- greenline:begin:${name} -->`;
const end = (name: string) => `<!-- greenline:end:${name} -->`;

/**
 * The text between a section's markers in a body greenline wrote, or undefined. Untrusted text never
 * contains `<!--` (neutralised, or broken inside code blocks), so only greenline's own markers match.
 */
export function extractSection(body: string | undefined, name: string): string | undefined {
  if (!body) return undefined;
  const text = body.replace(/\r\n/g, '\n');
  const from = text.indexOf(begin(name));
  const to = text.lastIndexOf(end(name));
  if (from < 0 || to < from) return undefined;
  return text.slice(from + begin(name).length, to).replace(/^\n+|\n+$/g, '');
}

export function defaultPeopleSection(kind: IncidentKind): string {
  const items = [
    kind === 'health'
      ? '- [ ] Confirm the service is healthy again (the next health-gate run resolves this issue)'
      : '- [ ] Confirm the branch and the deployed image are back on the last good build',
    '- [ ] Find what broke in the failing commit and write it under "Root cause"',
    '- [ ] Fix forward: the fix goes through the pipeline and is promoted when it passes',
    '- [ ] Add a test or a health check that would have caught it',
  ];
  return [
    '## Action items',
    '',
    ...items,
    '',
    '## Root cause',
    '',
    '_Left for people: what broke, why, how it was found, and what changes so it does not happen again. greenline never rewrites this section or the action items above._',
  ].join('\n');
}

export function commitUrl(place: IncidentPlace, sha: string): string {
  return `${place.serverUrl}/${encodeURIComponent(place.owner)}/${encodeURIComponent(place.repo)}/commit/${sha}`;
}

function commitLink(place: IncidentPlace, sha: string): string {
  return sha ? `[\`${shortSha(sha)}\`](${commitUrl(place, sha)})` : '—';
}

export function timelineLine(entry: TimelineEntry, place: IncidentPlace): string {
  const when = Date.parse(entry.t);
  const parts = [
    Number.isNaN(when) ? inline(entry.t, 40) : utc(when),
    entry.c ? commitLink(place, entry.c) : '—',
    `**${inline(entry.s, 60)}**`,
  ];
  if (entry.x) parts.push(`restored ${commitLink(place, entry.x)}`);
  if (entry.r) parts.push(link(runLabel(entry.r), entry.r));
  return `- ${parts.join(' · ')}`;
}

function impact(state: IncidentState, place: IncidentPlace, health: HealthView | undefined, now: number): string {
  const where = `**${inline(place.branch || 'the default branch', 100)}** of **${inline(`${place.owner}/${place.repo}`, 140)}**`;
  const lines: string[] = [];
  if (state.kind === 'health') {
    let text = `The health gate reported **${inline(state.status, 40)}** for ${where}`;
    if (health?.kind === 'table') {
      if (health.score) text += ` (score ${inline(health.score, 20)})`;
      if (health.checks.length) text += `: ${health.failing} of ${health.checks.length} checks failing`;
      if (health.criticalFailing.length) text += `, critical: ${inline(health.criticalFailing.join(', '), 200)}`;
    }
    lines.push(`${text}.`);
  } else if (state.kind === 'rollback') {
    lines.push(
      state.undone
        ? `${where} failed at ${commitLink(place, state.failing)}; greenline undid only the commit that broke it, ${commitLink(place, state.undone)}, and kept the commits around it; that change is not deployed until it is fixed.`
        : state.restored
        ? `${where} was rolled back from ${commitLink(place, state.failing)} to the last good commit ${commitLink(place, state.restored)}; what the failing commit changed is not deployed until it is fixed.`
        : `A rollback of ${where} from ${commitLink(place, state.failing)} was started; no restored commit was recorded.`,
    );
  } else {
    lines.push(
      `The workflow **${inline(place.workflow || 'workflow', 80)}** (job **${inline(place.job || 'job', 60)}**) failed on ${where} at ${commitLink(place, state.failing)}.`,
    );
    if (state.undone) lines.push(`greenline undid only ${commitLink(place, state.undone)} on the branch.`);
    else if (state.restored) lines.push(`The branch was restored to ${commitLink(place, state.restored)}.`);
  }
  const opened = Date.parse(state.opened);
  const runs = `${state.runs} run${state.runs === 1 ? '' : 's'}`;
  // A duration is said only when it means something: a first run's incident has lasted "0ms", which is no
  // news; under a minute (or with an unreadable date) the number of runs says it all.
  if (state.resolved) {
    const lasted = Date.parse(state.resolved) - opened;
    lines.push(meaningful(lasted) ? `Resolved after ${humanDuration(lasted)}.` : 'Resolved.');
  } else {
    const lasted = now - opened;
    lines.push(meaningful(lasted) ? `Ongoing for ${humanDuration(lasted)}, ${runs}.` : `Ongoing, ${runs}.`);
  }
  return lines.join(' ');
}

/** The shortest duration worth writing down (a run's own seconds are noise). */
export const MEANINGFUL_DURATION_MS = 60_000;

function meaningful(ms: number): boolean {
  return Number.isFinite(ms) && ms >= MEANINGFUL_DURATION_MS;
}

interface Sections {
  /** undefined: no health section at all (a failure that never had a health report). */
  health: string | undefined;
  details: string;
  /** People own these two: the action items and root cause section, and any text written above the marker. */
  people: string;
  preface: string;
}

function renderWith(input: RenderInput, state: IncidentState, sections: Sections): string {
  const { health: healthSection, details: detailsSection, people, preface } = sections;
  const { place } = input;
  const last = state.timeline.at(-1);
  const now = last ? Date.parse(last.t) : Date.parse(state.opened);
  const statusCell = state.resolved ? `**RESOLVED** (last status ${inline(state.status, 40)})` : `**${inline(state.status, 40)}**`;
  const rows: Array<[string, string]> = [
    ['Status', statusCell],
    ['Kind', KIND_PHRASE[state.kind]],
    ['Branch', inline(place.branch || '—', 100)],
    ['Failing commit', commitLink(place, state.failing)],
    state.undone ? ['Undone commit', commitLink(place, state.undone)] : ['Restored commit', state.restored ? commitLink(place, state.restored) : '—'],
    ['First seen', utc(Date.parse(state.opened))],
    ['Last seen', last ? utc(Date.parse(last.t)) : utc(Date.parse(state.opened))],
    ['Runs', String(state.runs)],
    ['Fingerprint', `\`${state.label}\` (${inline(state.fingerprint, 100)})`],
  ];
  if (state.resolved) rows.splice(7, 0, ['Resolved', utc(Date.parse(state.resolved))]);
  if (state.previous) rows.push(['Previous incident', `#${state.previous}`]);

  const timeline = state.timeline.map((e) => timelineLine(e, place));
  if (state.trimmed > 0) {
    timeline.unshift(`- _… ${state.trimmed} earlier run${state.trimmed === 1 ? '' : 's'} trimmed to stay under GitHub's 65,536-character limit._`);
  }

  return [
    ...(preface ? [preface, ''] : []),
    encodeMarker(state),
    '## Summary',
    '',
    `${state.resolved ? '✅' : '🔴'} ${KIND_PHRASE[state.kind].replace(/^./, (c) => c.toUpperCase())} on ${inline(place.branch || 'the default branch', 100)} of ${inline(`${place.owner}/${place.repo}`, 140)}.`,
    '',
    '| | |',
    '| --- | --- |',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    '',
    '## Impact',
    '',
    impact(state, place, input.health, now),
    '',
    '## Timeline',
    '',
    ...timeline,
    '',
    '## Failing and restored commits',
    '',
    `- Failing: ${state.failing ? `${commitLink(place, state.failing)} \`${state.failing}\`` : '—'}`,
    state.undone
      ? `- Undone alone (undo: culprit): ${commitLink(place, state.undone)} \`${state.undone}\``
      : `- Restored: ${state.restored ? `${commitLink(place, state.restored)} \`${state.restored}\`` : '— (no rollback recorded)'}`,
    '',
    ...(healthSection === undefined ? [] : ['## Health report', '', begin('health'), healthSection, end('health'), '']),
    '## Details',
    '',
    begin('details'),
    detailsSection,
    end('details'),
    '',
    begin('people'),
    people,
    end('people'),
    '',
    `<sub>Managed by greenline open-incident-issue: the body is rewritten on every run (except the sections people own); a comment is added only when something changes or after the repeat interval.</sub>`,
    '',
  ].join('\n');
}

export interface RenderedBody {
  body: string;
  /** The state as written into the marker (the timeline possibly trimmed). */
  state: IncidentState;
}

/** Text a person wrote above greenline's marker line (kept as written, at the top). */
export function prefaceOf(body: string | undefined): string {
  if (!body) return '';
  const lines = body.replace(/\r\n/g, '\n').split('\n');
  const at = markerLineIndex(lines);
  return at > 0 ? lines.slice(0, at).join('\n').replace(/\s+$/, '') : '';
}

/** Cuts a people-owned text to `max` characters and says so where the cut is. */
function cutOwned(text: string, max: number, what: string): string {
  const note = `\n\n_(greenline cut ${what} here, ${text.length - max} characters and more left out: the issue body would otherwise exceed GitHub's 65,536-character limit. The full text is in the issue's edit history.)_`;
  return `${capChars(text, Math.max(0, max - note.length))}${note}`;
}

/**
 * The whole issue body. Greenline's parts stay within BODY_BUDGET: the health and details sections have
 * caps, then the oldest timeline lines are dropped first (from the marker's state as well, so the trimming
 * sticks); the newest line stays. What people own (the action items and root cause section, text above the
 * marker) is never cut, unless the body would exceed GitHub's own 65,536-character limit: then greenline's
 * reports are shortened first, and only then the people's text, with a note saying so where it was cut.
 */
export function renderIncidentBody(input: RenderInput): RenderedBody {
  const previousHealth = extractSection(input.previousBody, 'health');
  const previousDetails = extractSection(input.previousBody, 'details');
  const previousPeople = extractSection(input.previousBody, 'people');

  const sections: Sections = {
    // Only a health incident is about a health report: a test failure's or a rollback's incident has none to
    // miss unless one was given (now or by an earlier run).
    health: input.health
      ? renderHealthReport(input.health, CAP_HEALTH)
      : (capSection(previousHealth, CAP_HEALTH) ?? (input.state.kind === 'health' ? '_No health report was given._' : undefined)),
    details:
      input.details !== undefined && input.details.trim() !== ''
        ? quoted(input.details, CAP_DETAILS)
        : (capSection(previousDetails, CAP_DETAILS) ?? '_None given._'),
    people: previousPeople ?? defaultPeopleSection(input.state.kind),
    preface: prefaceOf(input.previousBody),
  };

  let state: IncidentState = { ...input.state, timeline: [...input.state.timeline] };
  let body = renderWith(input, state, sections);
  while (body.length > BODY_BUDGET && state.timeline.length > 1) {
    // Each entry costs its rendered line plus its JSON in the marker: drop the fewest oldest ones that cover
    // the excess, then render again to check (the "trimmed" note can grow by a digit).
    const over = body.length - BODY_BUDGET;
    let drop = 0;
    let saved = 0;
    while (drop < state.timeline.length - 1 && saved < over) {
      const entry = state.timeline[drop]!;
      saved += timelineLine(entry, input.place).length + 1 + JSON.stringify(entry).length + 1;
      drop++;
    }
    drop = Math.max(1, drop);
    state = { ...state, timeline: state.timeline.slice(drop), trimmed: state.trimmed + drop };
    body = renderWith(input, state, sections);
  }
  if (body.length <= GITHUB_BODY_LIMIT) return { body, state };
  // Only people's text is left to make room for: greenline's own reports go first.
  if (sections.health !== undefined) sections.health = '_(the health report was left out: the sections people wrote fill the issue up to GitHub\'s size limit.)_';
  sections.details = '_(left out: the sections people wrote fill the issue up to GitHub\'s size limit.)_';
  body = renderWith(input, state, sections);
  if (body.length > GITHUB_BODY_LIMIT) {
    const room = sections.people.length - (body.length - BODY_BUDGET);
    if (room >= 200) sections.people = cutOwned(sections.people, room, 'this section');
    else {
      sections.people = cutOwned(sections.people, 200, 'this section');
      body = renderWith(input, state, sections);
      sections.preface = cutOwned(sections.preface, Math.max(200, sections.preface.length - (body.length - BODY_BUDGET)), 'the text above');
    }
    body = renderWith(input, state, sections);
  }
  return { body, state };
}

function capSection(text: string | undefined, cap: number): string | undefined {
  if (text === undefined) return undefined;
  return text.length > cap ? '_(an earlier report was too long to keep.)_' : text;
}
