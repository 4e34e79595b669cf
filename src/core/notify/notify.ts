import type { Logger } from '../action/log.js';
import { type NotifyEvent, wanted } from './event.js';
import { buildMessage } from './message.js';
import { sendWebhook, type SendDeps } from './send.js';
import type { WebhookSettings } from './settings.js';

export interface NotifyOutcome {
  posted: boolean;
  /** One line for the job summary (never the URL). */
  line: string;
  /** Set when the POST failed and `webhook-required` is true: the step fails with it, after the issue work. */
  failure?: string;
}

export interface NotifyDeps extends SendDeps {
  log: Logger;
}

/**
 * Tells chat what happened to the incident, after the issue work is done. A failed POST is one warning line
 * and changes nothing else, unless `webhook-required` is true: then it is returned as the step's failure.
 * `event` is undefined when nothing happened to the incident (operation none).
 */
export async function notifyChat(settings: WebhookSettings, event: NotifyEvent | undefined, dryRun: boolean, deps: NotifyDeps): Promise<NotifyOutcome> {
  if (!event) return { posted: false, line: 'not posted: nothing happened to the incident' };
  if (!wanted(event.operation, settings.events)) {
    const line = `not posted: ${event.operation} is not in webhook-events (${settings.events.join(', ')})`;
    deps.log.info(`Webhook ${line}`);
    return { posted: false, line };
  }
  if (dryRun) {
    const line = `(dry run) would post the ${event.operation} message (${settings.format})`;
    deps.log.info(`Webhook: ${line}`);
    return { posted: false, line };
  }
  const result = await sendWebhook(settings.url, buildMessage(settings.format, event), deps);
  if (result.ok) {
    const line = `posted the ${event.operation} message (${settings.format}${result.attempts > 1 ? `, after ${result.attempts} attempts` : ''})`;
    deps.log.info(`Webhook: ${line}`);
    return { posted: true, line };
  }
  const what = `the webhook notification (${settings.format}, ${event.operation}) failed: ${result.error}`;
  if (settings.required) {
    return { posted: false, line: `❌ ${what}`, failure: `${event.issue ? `Incident #${event.issue.number} is done, but ${what}` : `Also, ${what}`} (webhook-required: true)` };
  }
  deps.log.warning(`Webhook: ${what.replace(/^the webhook notification/, 'the notification')}; the incident issue is unaffected (webhook-required: true makes this fail the step)`);
  return { posted: false, line: `⚠️ ${what}` };
}
