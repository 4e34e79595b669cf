import { Evaluator, Lexer, Parser, data } from '@actions/expressions';

/** Converts plain JSON into the expression library's data model. */
export function toExpressionData(value: unknown): data.ExpressionData {
  if (value === null || value === undefined) return new data.Null();
  if (typeof value === 'string') return new data.StringData(value);
  if (typeof value === 'number') return new data.NumberData(value);
  if (typeof value === 'boolean') return new data.BooleanData(value);
  if (Array.isArray(value)) {
    const arr = new data.Array();
    for (const v of value) arr.add(toExpressionData(v));
    return arr;
  }
  const dict = new data.Dictionary();
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) dict.add(k, toExpressionData(v));
  return dict;
}

/** Evaluates one expression (without `${{ }}`) against named contexts, with GitHub's own evaluator. */
export function evaluate(expression: string, contexts: Record<string, unknown>): data.ExpressionData {
  const lexed = new Lexer(expression).lex();
  const expr = new Parser(lexed.tokens, Object.keys(contexts), []).parse();
  const dict = new data.Dictionary();
  for (const [k, v] of Object.entries(contexts)) dict.add(k, toExpressionData(v));
  return new Evaluator(expr, dict).evaluate();
}

/** Replaces every `${{ expr }}` in a string, as the runner does for `with:` values and defaults. */
export function interpolate(template: string, contexts: Record<string, unknown>): string {
  return template.replace(/\$\{\{([\s\S]*?)\}\}/g, (_m, expr: string) => evaluate(expr.trim(), contexts).coerceString());
}
