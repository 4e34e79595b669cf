import * as core from '@actions/core';
import { ConfigurationError, describeError, oneLine } from './errors.js';
import type { Logger } from './log.js';
import { inertCommands } from '../util/text.js';
import type { SecretInputs } from './preflight.js';
import { rememberSecret, scrubSecrets } from './secrets.js';

export type OutputValue = string | number | boolean;

/** What an action's logic hands back to the glue: outputs set in one place, a summary, maybe a failure. */
export interface ActionResult {
  outputs: Record<string, OutputValue>;
  summary?: string;
  /** The step fails (exit 1) after outputs and summary are written: e.g. health-gate's `fail-on`. */
  failure?: string;
}

/**
 * Masks a secret for the runner's log (`::add-mask::`) and remembers it, so that everything greenline writes
 * itself (log lines, the job summary, outputs, the failure message) has it replaced by `***` even when a
 * server echoes it back in an error (a 401 body with the Authorization header): the runner's masking does
 * not cover what the action sends elsewhere, and the summary and outputs are files.
 */
export function addSecret(value: string): void {
  if (!value) return;
  core.setSecret(value);
  rememberSecret(value);
}

export { scrubSecrets };

export const coreLogger: Logger = {
  // Untrusted text (service answers, registry errors, commit messages) reaches info lines: no line of it may
  // become a workflow command (`::add-mask::`, `::stop-commands::`, `##[error]`…).
  info: (m) => core.info(inertCommands(scrubSecrets(m))),
  warning: (m, where) => core.warning(scrubSecrets(m), where ?? {}),
  debug: (m) => core.debug(scrubSecrets(m)),
};

/**
 * The one wrapper every action's run() goes through (actions/typescript-action style): the body reads
 * inputs and calls the logic; this sets outputs, writes the job summary and turns errors into setFailed.
 * A ConfigurationError is the user's mistake: one line. Anything else is logged with its stack as debug.
 */
export async function runAction(body: () => Promise<ActionResult>): Promise<void> {
  try {
    const result = await body();
    for (const [name, value] of Object.entries(result.outputs)) core.setOutput(name, scrubSecrets(String(value)));
    if (result.summary) await writeSummary(scrubSecrets(result.summary));
    if (result.failure) core.setFailed(scrubSecrets(nameTheToken(oneLine(result.failure))));
  } catch (error) {
    if (error instanceof ConfigurationError) {
      core.setFailed(scrubSecrets(nameTheToken(oneLine(error.message))));
    } else {
      if (error instanceof Error) core.debug(scrubSecrets(error.stack ?? String(error)));
      core.setFailed(scrubSecrets(blameToken(error) ?? nameTheToken(describeError(error))));
    }
  }
}

/** Modules wrap GitHub's 401 in their own words; whatever the wording, a refused token is the `token` input. */
function nameTheToken(message: string): string {
  if (message.startsWith('Input "')) return message;
  return /Bad credentials|\bHTTP 401\b|\(401\b|\b401 Unauthorized/i.test(message) ? `Input "token": GitHub refused the token: ${message}` : message;
}

/**
 * GitHub refusing the token is the user's to fix, and says which input: 401 is a bad token; a 403 that is
 * not a rate limit is a token without the permission the call needs.
 */
export function blameToken(error: unknown): string | undefined {
  const e = error as { status?: unknown; message?: unknown; request?: { method?: string; url?: string } };
  if (typeof e?.status !== 'number' || !e.request) return undefined;
  const what = `${e.request.method ?? ''} ${e.request.url ? new URL(e.request.url).pathname : ''}`.trim();
  if (e.status === 401) return `Input "token": GitHub refused the token (401 ${describeError(error)}) on ${what}`;
  if (e.status === 403 && !/rate limit/i.test(String(e.message))) {
    return `Input "token": the token may not do ${what} (403 ${describeError(error)}): check the job's permissions:`;
  }
  return undefined;
}

async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary.addRaw(markdown, true).write();
  } catch (error) {
    core.warning(`Could not write the job summary: ${(error as Error).message}`);
  }
}

/**
 * `core.getInput` as an InputReader, masking inputs that are secrets as soon as they are read. `secretParts`
 * names inputs whose parts are secrets too (a webhook URL carries its token in the path): each part it
 * returns is masked as well.
 */
export function inputReader(secrets: SecretInputs): (name: string) => string {
  return (name) => {
    const value = core.getInput(name);
    if (value && secrets.names.includes(name)) addSecret(value);
    for (const part of (value && secrets.parts?.[name]?.(value)) || []) addSecret(part);
    return value;
  };
}
