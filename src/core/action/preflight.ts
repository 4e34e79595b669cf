import { ConfigurationError, oneLine } from './errors.js';
import { parseInputs, type InputSchema } from './inputs.js';
import { rememberSecret, scrubSecrets } from './secrets.js';

/** Which inputs are secrets, and for inputs that carry one inside (a webhook URL's path), its parts. */
export interface SecretInputs {
  names: readonly string[];
  parts?: Record<string, (value: string) => string[]>;
}

/**
 * The check every entry makes before it loads the action: the inputs against the action's schema, with nothing
 * loaded but the schema's own parsers (inputs.ts: no schema library). @actions/core alone brings @actions/http-client and undici (for
 * its OIDC client), and the action's logic the registry client, git and the ledger code: loading them only to
 * refuse a mistyped input is most of what such a run costs. A refused input is reported here exactly as the
 * action's run() would report it (one `::error::` line naming the input, exit code 1); good inputs return true
 * and the entry loads run(), which reads them again through @actions/core.
 *
 * This writes the two workflow commands it needs itself (`::add-mask::`, `::error::`), escaped as
 * @actions/core escapes them, so that a secret input is masked before any line that could quote it.
 */
export function preflight(schema: InputSchema, secrets: SecretInputs): boolean {
  const read = (name: string): string => {
    // core.getInput: INPUT_<NAME> with spaces as underscores, upper-cased, trimmed.
    const value = (process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
    if (value && secrets.names.includes(name)) mask(value);
    for (const part of (value && secrets.parts?.[name]?.(value)) || []) mask(part);
    return value;
  };
  try {
    parseInputs(schema, read);
    return true;
  } catch (error) {
    // Anything but the user's mistake is run()'s to report, with its stack in the debug log.
    if (!(error instanceof ConfigurationError)) return true;
    command('error', scrubSecrets(oneLine(error.message)));
    process.exitCode = 1;
    return false;
  }
}

function mask(value: string): void {
  command('add-mask', value);
  rememberSecret(value);
}

/** A workflow command with its data escaped as @actions/core's command.js does (`%`, CR, LF). */
function command(name: string, data: string): void {
  process.stdout.write(`::${name}::${data.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}\n`);
}
