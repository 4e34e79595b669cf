/**
 * `on:` — does this event start the workflow? Branch/tag filters (GitHub's glob: `*`, `**`, `?`, `+`,
 * `[…]`, `!` negation in order), activity `types`, skip keywords in a push's head commit, workflow_dispatch
 * inputs (types, choices, required, defaults). Path filters are not supported (loud error).
 */
import { WorkflowError } from './types.js';

export interface TriggerDecision {
  run: boolean;
  reason?: string;
}

type EventConfig = Record<string, unknown> | null;

/** Normalises `on:` (string, list or mapping) to event → config. */
export function normaliseOn(on: unknown, file: string): Map<string, EventConfig> {
  const events = new Map<string, EventConfig>();
  if (typeof on === 'string') events.set(on, null);
  else if (Array.isArray(on)) for (const e of on) events.set(String(e), null);
  else if (on && typeof on === 'object') for (const [k, v] of Object.entries(on)) events.set(k, (v ?? null) as EventConfig);
  else throw new WorkflowError(`${file}: on: is missing or not an event, a list or a mapping`);
  return events;
}

const FILTER_KEYS: Record<string, readonly string[]> = {
  push: ['branches', 'branches-ignore', 'tags', 'tags-ignore'],
  pull_request: ['branches', 'branches-ignore', 'types'],
  pull_request_target: ['branches', 'branches-ignore', 'types'],
  workflow_dispatch: ['inputs'],
  schedule: [],
  workflow_run: ['workflows', 'types', 'branches', 'branches-ignore'],
};

/** Validates `on:` as far as the executor understands it (called once per run, whatever the event). */
export function checkOn(events: Map<string, EventConfig>, file: string): void {
  for (const [event, config] of events) {
    if (event === 'schedule') {
      if (!Array.isArray(config) || config.length === 0) throw new WorkflowError(`${file}: on.schedule must be a list of { cron }`);
      for (const item of config as unknown[]) {
        const cron = (item as { cron?: unknown })?.cron;
        if (typeof cron !== 'string' || cron.trim().split(/\s+/).length !== 5 || Object.keys(item as object).length !== 1) {
          throw new WorkflowError(`${file}: on.schedule entries must be { cron: '<5 fields>' }, got ${JSON.stringify(item)}`);
        }
      }
      continue;
    }
    if (config === null) continue;
    if (typeof config !== 'object' || Array.isArray(config)) throw new WorkflowError(`${file}: on.${event} must be a mapping`);
    const allowed = FILTER_KEYS[event] ?? ['types'];
    for (const key of Object.keys(config)) {
      if (key === 'paths' || key === 'paths-ignore') throw new WorkflowError(`${file}: on.${event}.${key}: path filters are not supported by the local workflow executor`);
      if (!allowed.includes(key)) throw new WorkflowError(`${file}: on.${event}.${key} is not supported by the local workflow executor`);
    }
    if (config.branches !== undefined && config['branches-ignore'] !== undefined) throw new WorkflowError(`${file}: on.${event}: branches and branches-ignore cannot both be set`);
    if (config.tags !== undefined && config['tags-ignore'] !== undefined) throw new WorkflowError(`${file}: on.${event}: tags and tags-ignore cannot both be set`);
  }
}

/** GitHub filter pattern → RegExp: `*` (not /), `**` (anything), `?` (one char), `+` (one or more), `[…]`. */
export function filterPattern(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (pattern[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += '[^/]*';
    } else if (c === '?') re += '.';
    else if (c === '+') re += '+';
    else if (c === '[') {
      const end = pattern.indexOf(']', i);
      if (end < 0) throw new WorkflowError(`filter pattern ${JSON.stringify(pattern)}: unclosed [`);
      re += pattern.slice(i, end + 1);
      i = end;
    } else if (c === '\\') {
      re += `\\${pattern[++i] ?? ''}`;
    } else re += c.replace(/[.^$|(){}]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function asList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** Ordered filters: each pattern includes, `!pattern` excludes; the last match wins. */
export function matchesFilters(name: string, patterns: string[]): boolean {
  let matched = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (filterPattern(p.slice(1)).test(name)) matched = false;
    } else if (filterPattern(p).test(name)) matched = true;
  }
  return matched;
}

const SKIP_KEYWORDS = ['[skip ci]', '[ci skip]', '[no ci]', '[skip actions]', '[actions skip]'];

export function skipKeyword(message: string): string | undefined {
  const lower = message.toLowerCase();
  const keyword = SKIP_KEYWORDS.find((k) => lower.includes(k));
  if (keyword) return keyword;
  return /^skip-checks:\s*true\s*$/im.test(message) ? 'skip-checks: true' : undefined;
}

const DEFAULT_TYPES: Record<string, string[]> = {
  pull_request: ['opened', 'synchronize', 'reopened'],
  pull_request_target: ['opened', 'synchronize', 'reopened'],
};

/** Whether `event` with `ref`/`payload` starts the workflow. An event the workflow does not list is an error. */
export function decideTrigger(
  events: Map<string, EventConfig>,
  event: string,
  ref: string,
  payload: Record<string, unknown>,
  file: string,
): TriggerDecision {
  if (!events.has(event)) throw new WorkflowError(`${file} does not run on ${event} (on: ${[...events.keys()].join(', ')})`);
  const config = (events.get(event) ?? {}) as Record<string, unknown>;
  if (event === 'push' || event === 'pull_request') {
    const head = payload.head_commit as { message?: unknown } | null | undefined;
    const message = typeof head?.message === 'string' ? head.message : '';
    const keyword = skipKeyword(message);
    if (keyword) return { run: false, reason: `the head commit's message has ${keyword}` };
  }
  if (event === 'push') {
    const isTag = ref.startsWith('refs/tags/');
    const name = ref.replace(/^refs\/(heads|tags)\//, '');
    const hasBranchFilter = config.branches !== undefined || config['branches-ignore'] !== undefined;
    const hasTagFilter = config.tags !== undefined || config['tags-ignore'] !== undefined;
    if (isTag) {
      if (!hasTagFilter) return hasBranchFilter ? { run: false, reason: 'tag pushes are not selected (only branches are filtered)' } : { run: true };
      return filterDecision(name, config.tags, config['tags-ignore'], 'tag');
    }
    if (!hasBranchFilter) return hasTagFilter ? { run: false, reason: 'branch pushes are not selected (only tags are filtered)' } : { run: true };
    return filterDecision(name, config.branches, config['branches-ignore'], 'branch');
  }
  if (event === 'pull_request' || event === 'pull_request_target' || event === 'workflow_run') {
    const types = config.types !== undefined ? asList(config.types) : (DEFAULT_TYPES[event] ?? []);
    const action = String(payload.action ?? '');
    if (types.length && !types.includes(action)) return { run: false, reason: `activity type ${action || '(none)'} is not one of ${types.join(', ')}` };
    if (event === 'workflow_run') {
      const wf = String((payload.workflow as { name?: unknown } | undefined)?.name ?? (payload.workflow_run as { name?: unknown } | undefined)?.name ?? '');
      const workflows = asList(config.workflows);
      if (workflows.length && !workflows.includes(wf)) return { run: false, reason: `workflow ${wf} is not one of ${workflows.join(', ')}` };
      const branch = String((payload.workflow_run as { head_branch?: unknown } | undefined)?.head_branch ?? '');
      return filterDecision(branch, config.branches, config['branches-ignore'], 'branch');
    }
    const base = String(((payload.pull_request as { base?: { ref?: unknown } } | undefined)?.base?.ref) ?? '');
    return filterDecision(base, config.branches, config['branches-ignore'], 'base branch');
  }
  if (config.types !== undefined) {
    const action = String(payload.action ?? '');
    if (!asList(config.types).includes(action)) return { run: false, reason: `activity type ${action || '(none)'} is not selected` };
  }
  return { run: true };
}

function filterDecision(name: string, include: unknown, ignore: unknown, what: string): TriggerDecision {
  if (include !== undefined) {
    return matchesFilters(name, asList(include)) ? { run: true } : { run: false, reason: `${what} ${name} does not match ${asList(include).join(', ')}` };
  }
  if (ignore !== undefined) {
    return matchesFilters(name, asList(ignore)) ? { run: false, reason: `${what} ${name} is ignored` } : { run: true };
  }
  return { run: true };
}

interface InputSpec {
  description?: string;
  type?: string;
  required?: boolean;
  default?: unknown;
  options?: unknown[];
}

/**
 * workflow_dispatch inputs as the runner gives them: `inputs` context values typed (boolean → boolean,
 * number → number), `github.event.inputs` as strings. Unknown inputs, missing required ones, values outside
 * a choice's options and non-boolean booleans are errors (GitHub refuses to dispatch).
 */
export function dispatchInputs(
  config: EventConfig,
  given: Record<string, string | boolean | number> = {},
  file: string,
): { context: Record<string, unknown>; event: Record<string, string> } {
  const specs = ((config ?? {}) as { inputs?: Record<string, InputSpec> }).inputs ?? {};
  for (const name of Object.keys(given)) {
    if (!(name in specs)) throw new WorkflowError(`${file}: workflow_dispatch has no input ${JSON.stringify(name)} (declared: ${Object.keys(specs).join(', ') || 'none'})`);
  }
  const context: Record<string, unknown> = {};
  const event: Record<string, string> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const type = spec.type ?? 'string';
    const raw = given[name] ?? spec.default;
    if ((raw === undefined || raw === '') && spec.required) throw new WorkflowError(`${file}: workflow_dispatch input ${name} is required`);
    const text = raw === undefined || raw === null ? '' : String(raw);
    switch (type) {
      case 'boolean': {
        if (text !== '' && text !== 'true' && text !== 'false') throw new WorkflowError(`${file}: input ${name} must be true or false, got ${JSON.stringify(text)}`);
        context[name] = text === 'true';
        event[name] = text === '' ? 'false' : text;
        break;
      }
      case 'number': {
        if (text !== '' && !Number.isFinite(Number(text))) throw new WorkflowError(`${file}: input ${name} must be a number, got ${JSON.stringify(text)}`);
        context[name] = text === '' ? '' : Number(text);
        event[name] = text;
        break;
      }
      case 'choice': {
        const options = (spec.options ?? []).map(String);
        if (options.length === 0) throw new WorkflowError(`${file}: choice input ${name} has no options`);
        if (text !== '' && !options.includes(text)) throw new WorkflowError(`${file}: input ${name} must be one of ${options.join(', ')}, got ${JSON.stringify(text)}`);
        context[name] = text;
        event[name] = text;
        break;
      }
      case 'string':
      case 'environment':
        context[name] = text;
        event[name] = text;
        break;
      default:
        throw new WorkflowError(`${file}: input ${name} has unsupported type ${type}`);
    }
  }
  return { context, event };
}
