import * as core from '@actions/core';
import { ConfigurationError, oneLine } from './errors.js';
import type { Logger } from './log.js';

export type OutputValue = string | number | boolean;

/** What an action's logic hands back to the glue: outputs set in one place, a summary, maybe a failure. */
export interface ActionResult {
  outputs: Record<string, OutputValue>;
  summary?: string;
  /** The step fails (exit 1) after outputs and summary are written: e.g. health-gate's `fail-on`. */
  failure?: string;
}

export const coreLogger: Logger = {
  info: (m) => core.info(m),
  warning: (m, where) => core.warning(m, where ?? {}),
  debug: (m) => core.debug(m),
};

/**
 * The one wrapper every action's run() goes through (actions/typescript-action style): the body reads
 * inputs and calls the logic; this sets outputs, writes the job summary and turns errors into setFailed.
 * A ConfigurationError is the user's mistake: one line. Anything else is logged with its stack as debug.
 */
export async function runAction(body: () => Promise<ActionResult>): Promise<void> {
  try {
    const result = await body();
    for (const [name, value] of Object.entries(result.outputs)) core.setOutput(name, String(value));
    if (result.summary) await writeSummary(result.summary);
    if (result.failure) core.setFailed(oneLine(result.failure));
  } catch (error) {
    if (error instanceof ConfigurationError) {
      core.setFailed(oneLine(error.message));
    } else if (error instanceof Error) {
      core.debug(error.stack ?? String(error));
      core.setFailed(oneLine(error.message));
    } else {
      core.setFailed(oneLine(String(error)));
    }
  }
}

async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary.addRaw(markdown, true).write();
  } catch (error) {
    core.warning(`Could not write the job summary: ${(error as Error).message}`);
  }
}

/** `core.getInput` as an InputReader, masking inputs that are secrets as soon as they are read. */
export function inputReader(secretInputs: readonly string[] = []): (name: string) => string {
  return (name) => {
    const value = core.getInput(name);
    if (value && secretInputs.includes(name)) core.setSecret(value);
    return value;
  };
}
