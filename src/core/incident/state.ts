import { z } from 'zod';
import { KINDS, type IncidentKind } from './kinds.js';

export { KINDS, type IncidentKind };

/** One run in the timeline: time (ISO), commit, status, run link, and the restored commit when there was one. */
export interface TimelineEntry {
  t: string;
  c: string;
  s: string;
  r?: string;
  x?: string;
}

/**
 * What greenline remembers about an incident between runs. It lives in the issue body as JSON inside an
 * HTML comment on the body's first line (the hidden marker), so a repeat failure needs no other read.
 */
export interface IncidentState {
  v: 1;
  /** The fingerprint label (`incident:<12 hex>`): the marker confirms the labels. */
  label: string;
  fingerprint: string;
  kind: IncidentKind;
  /** The status of the last run (the health report's status, or one derived from the kind). */
  status: string;
  failing: string;
  restored: string;
  /**
   * `undo: culprit`: the one commit greenline undid on top of the failing head (every other commit kept). Set
   * instead of `restored`: the branch was not put back to an older tree.
   */
  undone?: string;
  /** First seen (ISO): kept when the timeline is trimmed. */
  opened: string;
  /** Last time people were told (issue created, reopened, or commented): drives `repeat-interval`. */
  notified: string;
  runs: number;
  /** Timeline lines dropped (oldest first) to stay under GitHub's body limit. */
  trimmed: number;
  previous?: number;
  /** Set when greenline closed it as resolved; an open issue that still carries it was reopened by a person. */
  resolved?: string;
  /** The worst status people were told about since the issue was opened or reopened: a comment needs worse. */
  told?: string;
  /** Last time greenline reopened it (a flapping service: reopen and resolve are quiet within repeat-interval). */
  reopened?: string;
  timeline: TimelineEntry[];
}

const MARKER_PREFIX = '<!-- greenline:incident ';
const MARKER_SUFFIX = ' -->';

const entrySchema = z.object({
  t: z.string().max(40),
  c: z.string().max(64),
  s: z.string().max(200),
  r: z.string().max(2000).optional(),
  x: z.string().max(64).optional(),
});

const isoOr = (fallback: string) =>
  z
    .string()
    .refine((s) => !Number.isNaN(Date.parse(s)))
    .catch(fallback);

const stateSchema = (fallbackTime: string) =>
  z.object({
    v: z.literal(1),
    label: z.string(),
    fingerprint: z.string().catch(''),
    kind: z.enum(KINDS).catch('failure'),
    status: z.string().max(200).catch(''),
    failing: z.string().max(64).catch(''),
    restored: z.string().max(64).catch(''),
    undone: z.string().max(64).optional().catch(undefined),
    opened: isoOr(fallbackTime),
    notified: isoOr(fallbackTime),
    runs: z.number().int().nonnegative().catch(0),
    trimmed: z.number().int().nonnegative().catch(0),
    previous: z.number().int().positive().optional().catch(undefined),
    resolved: isoOr('').optional(),
    told: z.string().max(200).optional().catch(undefined),
    reopened: isoOr('').optional(),
    timeline: z.array(entrySchema).catch([]),
  });

/**
 * The marker line. The JSON is escaped so it cannot end the comment (`<` and `>` only occur inside JSON
 * strings, and become \u003c / \u003e); untrusted text greenline writes into the body is neutralised (no `<` at
 * all), so no input can forge one; only people with write access to the issue can.
 */
export function encodeMarker(state: IncidentState): string {
  const json = JSON.stringify(state).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `${MARKER_PREFIX}${json}${MARKER_SUFFIX}`;
}

/**
 * Where greenline's marker line is in a body: the first line that is a marker, wherever it is (a person may
 * add a line above it). -1 when there is none.
 */
export function markerLineIndex(lines: readonly string[]): number {
  return lines.findIndex((l) => {
    const t = l.replace(/\r$/, '').trim();
    return t.startsWith(MARKER_PREFIX) && t.endsWith(MARKER_SUFFIX);
  });
}

/**
 * Reads the marker from an issue body (its line may be anywhere: people add text above it); undefined when
 * there is none, it does not parse, or it belongs to another fingerprint label. `fallbackTime` (the issue's
 * created_at) fills unreadable times.
 */
export function decodeMarker(body: string | null | undefined, label: string, fallbackTime: string): IncidentState | undefined {
  if (!body) return undefined;
  const lines = body.split('\n');
  const at = markerLineIndex(lines);
  if (at < 0) return undefined;
  const firstLine = lines[at]!.replace(/\r$/, '').trim();
  const json = firstLine.slice(MARKER_PREFIX.length, firstLine.length - MARKER_SUFFIX.length);
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return undefined;
  }
  const parsed = stateSchema(fallbackTime).safeParse(data);
  if (!parsed.success || parsed.data.label !== label) return undefined;
  const s = parsed.data;
  return {
    v: 1,
    label: s.label,
    fingerprint: s.fingerprint,
    kind: s.kind,
    status: s.status,
    failing: s.failing,
    restored: s.restored,
    ...(s.undone ? { undone: s.undone } : {}),
    opened: s.opened,
    notified: s.notified,
    runs: s.runs,
    trimmed: s.trimmed,
    ...(s.previous !== undefined ? { previous: s.previous } : {}),
    ...(s.resolved ? { resolved: s.resolved } : {}),
    ...(s.told ? { told: s.told } : {}),
    ...(s.reopened ? { reopened: s.reopened } : {}),
    timeline: s.timeline.map((e) => ({ t: e.t, c: e.c, s: e.s, ...(e.r ? { r: e.r } : {}), ...(e.x ? { x: e.x } : {}) })),
  };
}
