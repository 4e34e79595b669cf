/**
 * `${{ }}` for the executor, with GitHub's own evaluator (@actions/expressions): templates are split
 * respecting string literals, each expression is parsed with exactly the contexts GitHub makes available at
 * that place in a workflow (an unknown or unavailable context is a parse error, as on GitHub), and the
 * status functions (success, failure, always, cancelled) and hashFiles are supplied as extension functions,
 * since the library only ships the pure ones (contains, startsWith, endsWith, format, join, toJSON, fromJSON,
 * case).
 */
import { createHash } from 'node:crypto';
import { globSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Evaluator, Lexer, Parser, data, type Expr } from '@actions/expressions';
import { Binary, FunctionCall, Grouping, IndexAccess, Logical, Unary } from '@actions/expressions/ast';
import type { FunctionDefinition, FunctionInfo } from '@actions/expressions/funcs/info';
import { truthy } from '@actions/expressions/result';
import { toExpressionData } from '../expressions.js';
import { WorkflowError } from './types.js';

/** Places in a workflow where expressions are allowed, each with its own contexts and functions. */
export type Scope =
  | 'run-name'
  | 'workflow-concurrency'
  | 'workflow-env'
  | 'job-if'
  | 'job-name'
  | 'job-runs-on'
  | 'job-env'
  | 'job-environment'
  | 'job-concurrency'
  | 'job-timeout'
  | 'job-outputs'
  | 'step-if'
  | 'step';

const JOB_CTX = ['github', 'needs', 'vars', 'inputs'];
/** docs.github.com "Contexts reference → Context availability" (strategy/matrix left out: no matrix support). */
export const SCOPE_CONTEXTS: Readonly<Record<Scope, readonly string[]>> = {
  'run-name': ['github', 'inputs', 'vars'],
  'workflow-concurrency': ['github', 'inputs', 'vars'],
  'workflow-env': ['github', 'secrets', 'inputs', 'vars'],
  'job-if': JOB_CTX,
  'job-name': JOB_CTX,
  'job-runs-on': JOB_CTX,
  'job-env': [...JOB_CTX, 'secrets'],
  'job-environment': JOB_CTX,
  'job-concurrency': JOB_CTX,
  'job-timeout': JOB_CTX,
  'job-outputs': [...JOB_CTX, 'job', 'runner', 'env', 'secrets', 'steps'],
  'step-if': [...JOB_CTX, 'job', 'runner', 'env', 'steps'],
  step: [...JOB_CTX, 'job', 'runner', 'env', 'secrets', 'steps'],
};

const STATUS_FUNCTIONS = ['success', 'failure', 'always', 'cancelled'] as const;
const STATUS_INFO: FunctionInfo[] = STATUS_FUNCTIONS.map((name) => ({ name, minArgs: 0, maxArgs: 0 }));
const HASHFILES_INFO: FunctionInfo = { name: 'hashFiles', minArgs: 1, maxArgs: 255 };

function scopeFunctions(scope: Scope): FunctionInfo[] {
  if (scope === 'job-if') return STATUS_INFO;
  if (scope === 'step-if') return [...STATUS_INFO, HASHFILES_INFO];
  if (scope === 'step' || scope === 'job-outputs') return [HASHFILES_INFO];
  return [];
}

export interface EvalContext {
  /** Context name → plain JSON value. Contexts of the scope that are absent evaluate as empty objects. */
  contexts: Record<string, unknown>;
  /** For job-if and step-if. */
  status?: { success: boolean; failure: boolean; cancelled: boolean };
  /** For hashFiles(): the workspace. */
  workspace?: string;
}

export type Segment = { kind: 'text'; value: string } | { kind: 'expr'; value: string };

/** Splits `a ${{ x }} b` into text and expressions; `}}` inside a '…' string literal does not close. */
export function splitTemplate(template: string): Segment[] {
  const out: Segment[] = [];
  let i = 0;
  while (i < template.length) {
    const start = template.indexOf('${{', i);
    if (start < 0) {
      out.push({ kind: 'text', value: template.slice(i) });
      break;
    }
    if (start > i) out.push({ kind: 'text', value: template.slice(i, start) });
    let j = start + 3;
    let inString = false;
    for (; j < template.length; j++) {
      const c = template[j];
      if (inString) {
        if (c === "'") {
          if (template[j + 1] === "'") j++;
          else inString = false;
        }
      } else if (c === "'") inString = true;
      else if (c === '}' && template[j + 1] === '}') break;
    }
    if (j >= template.length) throw new WorkflowError(`unterminated \${{ in ${JSON.stringify(template)}`);
    const expr = template.slice(start + 3, j).trim();
    if (expr === '') throw new WorkflowError(`empty \${{ }} in ${JSON.stringify(template)}`);
    out.push({ kind: 'expr', value: expr });
    i = j + 2;
  }
  return out;
}

export function hasExpression(value: unknown): boolean {
  return typeof value === 'string' && value.includes('${{');
}

/** Parses one expression for a scope; throws WorkflowError naming `where` on any syntax or context error. */
export function parseExpression(expression: string, scope: Scope, where: string): Expr {
  try {
    const { tokens } = new Lexer(expression).lex();
    const expr = new Parser(tokens, [...SCOPE_CONTEXTS[scope]], scopeFunctions(scope)).parse();
    if (!expr) throw new Error('empty expression');
    return expr;
  } catch (error) {
    if (error instanceof WorkflowError) throw error;
    throw new WorkflowError(`${where}: \${{ ${expression} }}: ${(error as Error).message} (available here: ${SCOPE_CONTEXTS[scope].join(', ')})`);
  }
}

/** Parses every expression in a template (validation before anything runs). */
export function checkTemplate(template: unknown, scope: Scope, where: string): void {
  if (typeof template !== 'string') return;
  for (const seg of splitTemplate(template)) if (seg.kind === 'expr') parseExpression(seg.value, scope, where);
}

function functionsFor(ctx: EvalContext): Map<string, FunctionDefinition> {
  const fns = new Map<string, FunctionDefinition>();
  const status = ctx.status;
  const statusFn = (name: string, value: () => boolean) =>
    fns.set(name, {
      name,
      minArgs: 0,
      maxArgs: 0,
      call: () => {
        if (!status) throw new WorkflowError(`${name}() is only available in if: conditions`);
        return new data.BooleanData(value());
      },
    });
  statusFn('success', () => status!.success);
  statusFn('failure', () => status!.failure);
  statusFn('cancelled', () => status!.cancelled);
  statusFn('always', () => true);
  fns.set('hashfiles', { ...HASHFILES_INFO, call: (...args) => new data.StringData(hashFiles(ctx.workspace, args.map((a) => a.coerceString()))) });
  return fns;
}

/** GitHub's hashFiles: sha256 over the sha256 of each matching file (sorted), '' when nothing matches. */
export function hashFiles(workspace: string | undefined, patterns: string[]): string {
  if (!workspace) throw new WorkflowError('hashFiles() needs a workspace');
  const include = patterns.filter((p) => !p.startsWith('!'));
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  const files = new Set<string>();
  for (const p of include) for (const f of globSync(p, { cwd: workspace, exclude })) files.add(f);
  const regular = [...files].sort().filter((f) => statSync(join(workspace, f)).isFile());
  if (regular.length === 0) return '';
  const outer = createHash('sha256');
  for (const f of regular) outer.update(createHash('sha256').update(readFileSync(join(workspace, f))).digest());
  return outer.digest('hex');
}

function contextDictionary(scope: Scope, ctx: EvalContext): data.Dictionary {
  const dict = new data.Dictionary();
  for (const name of SCOPE_CONTEXTS[scope]) dict.add(name, toExpressionData(ctx.contexts[name] ?? {}));
  return dict;
}

export function evaluateExpression(expression: string, scope: Scope, ctx: EvalContext, where: string): data.ExpressionData {
  const expr = parseExpression(expression, scope, where);
  try {
    return new Evaluator(expr, contextDictionary(scope, ctx), functionsFor(ctx)).evaluate();
  } catch (error) {
    if (error instanceof WorkflowError) throw error;
    throw new ExpressionRuntimeError(`${where}: \${{ ${expression} }}: ${(error as Error).message}`);
  }
}

/** An expression that parsed but failed while evaluating (e.g. fromJSON of bad JSON): fails the step or job. */
export class ExpressionRuntimeError extends Error {
  override name = 'ExpressionRuntimeError';
}

/** How the runner turns a value into the string a `with:`/`env:`/`run:` receives. */
export function toStringValue(value: data.ExpressionData, where: string): string {
  switch (value.kind) {
    case data.Kind.Null:
      return '';
    case data.Kind.Boolean:
    case data.Kind.Number:
    case data.Kind.String:
      return value.coerceString();
    default:
      throw new ExpressionRuntimeError(`${where}: an expression produced an ${value.kind === data.Kind.Array ? 'array' : 'object'} where a string is expected: use toJSON()`);
  }
}

/** Interpolates a template into a string (`with:`, `env:`, `run:`, names, outputs). Non-strings pass through String(). */
export function interpolateString(template: unknown, scope: Scope, ctx: EvalContext, where: string): string {
  if (template === null || template === undefined) return '';
  if (typeof template !== 'string') return String(template);
  return splitTemplate(template)
    .map((seg) => (seg.kind === 'text' ? seg.value : toStringValue(evaluateExpression(seg.value, scope, ctx, where), where)))
    .join('');
}

/** A value that may be a literal or one whole `${{ }}` (continue-on-error, timeout-minutes, cancel-in-progress). */
export function evaluateValue(value: unknown, scope: Scope, ctx: EvalContext, where: string): unknown {
  if (typeof value !== 'string') return value;
  const segs = splitTemplate(value.trim());
  if (segs.length === 1 && segs[0]!.kind === 'expr') return fromExpressionData(evaluateExpression(segs[0]!.value, scope, ctx, where));
  return interpolateString(value, scope, ctx, where);
}

export function fromExpressionData(value: data.ExpressionData): unknown {
  switch (value.kind) {
    case data.Kind.Null:
      return null;
    case data.Kind.Boolean:
      return (value as data.BooleanData).value;
    case data.Kind.Number:
      return value.number();
    case data.Kind.String:
      return value.coerceString();
    case data.Kind.Array:
      return (value as data.Array).values().map(fromExpressionData);
    default: {
      const out: Record<string, unknown> = {};
      for (const { key, value: v } of (value as data.Dictionary).pairs()) out[key] = fromExpressionData(v);
      return out;
    }
  }
}

/**
 * The expression of an `if:` as GitHub runs it: `${{ x }}` unwrapped, a bare expression as is, and
 * `success() && (x)` when x calls no status function. Text mixed with `${{ }}` is rejected: GitHub would
 * evaluate it as a non-empty string, always true.
 */
export function conditionExpression(raw: string | boolean | number | undefined, where: string): string {
  if (raw === undefined) return 'success()';
  let text = typeof raw === 'string' ? raw.trim() : String(raw);
  if (text.includes('${{')) {
    const segs = splitTemplate(text);
    if (segs.length !== 1 || segs[0]!.kind !== 'expr') {
      throw new WorkflowError(`${where}: if: ${JSON.stringify(text)} mixes text and \${{ }}: GitHub treats it as a non-empty string (always true)`);
    }
    text = segs[0]!.value;
  }
  if (text === '') throw new WorkflowError(`${where}: empty if:`);
  return text;
}

export function withImplicitSuccess(expression: string, scope: 'job-if' | 'step-if', where: string): string {
  const expr = parseExpression(expression, scope, where);
  return callsStatusFunction(expr) ? expression : `success() && (${expression})`;
}

function callsStatusFunction(e: Expr): boolean {
  if (e instanceof FunctionCall) {
    const name = e.functionName.lexeme.toLowerCase();
    return (STATUS_FUNCTIONS as readonly string[]).includes(name) || e.args.some(callsStatusFunction);
  }
  if (e instanceof Binary) return callsStatusFunction(e.left) || callsStatusFunction(e.right);
  if (e instanceof Logical) return e.args.some(callsStatusFunction);
  if (e instanceof Unary) return callsStatusFunction(e.expr);
  if (e instanceof Grouping) return callsStatusFunction(e.group);
  if (e instanceof IndexAccess) return callsStatusFunction(e.expr) || callsStatusFunction(e.index);
  return false;
}

/** Evaluates an `if:` (implicit success() applied) to a boolean; returns the expression actually evaluated. */
export function evaluateCondition(
  raw: string | boolean | number | undefined,
  scope: 'job-if' | 'step-if',
  ctx: EvalContext,
  where: string,
): { expression: string; value: boolean } {
  const expression = withImplicitSuccess(conditionExpression(raw, where), scope, where);
  return { expression, value: truthy(evaluateExpression(expression, scope, ctx, where)) };
}
