import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const ROOT = join(import.meta.dirname, '..', '..');

export interface ActionYml {
  name: string;
  description: string;
  inputs?: Record<string, { description?: string; required?: boolean; default?: string }>;
  outputs?: Record<string, { description?: string }>;
  runs: { using: string; main: string };
  branding?: { icon?: string; color?: string };
}

/** `rollback` is the root action.yml (the one-step rollback); every other name is actions/<name>. */
export function actionYmlPath(name: string): string {
  return name === 'rollback' ? join(ROOT, 'action.yml') : join(ROOT, 'actions', name, 'action.yml');
}

export function readActionYml(name: string): ActionYml {
  return parse(readFileSync(actionYmlPath(name), 'utf8')) as ActionYml;
}
