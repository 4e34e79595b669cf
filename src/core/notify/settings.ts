import { ConfigurationError } from '../action/errors.js';
import { DEFAULT_NOTIFY_EVENTS, type NotifyEventName } from './event.js';
import type { WebhookFormat } from './message.js';
import { checkWebhookUrl } from './url.js';

/** Where and how chat is told: the parsed webhook inputs, shared by every action that opens incidents. */
export interface WebhookSettings {
  url: string;
  format: WebhookFormat;
  required: boolean;
  events: readonly NotifyEventName[];
}

export interface WebhookInputs {
  'webhook-url': string;
  'webhook-format': WebhookFormat;
  'webhook-required': boolean;
  'webhook-events': NotifyEventName[];
}

/**
 * The settings, or undefined when no webhook is given. `webhook-required: true` with an empty URL is a
 * mistake (usually a secret the workflow cannot read: forks, Dependabot), refused before anything is done.
 * Returns the warning for plain http:// to another machine, for the glue to log.
 */
export function webhookSettings(inputs: WebhookInputs): { settings?: WebhookSettings; warning?: string } {
  const url = inputs['webhook-url'];
  if (!url) {
    if (inputs['webhook-required']) {
      throw new ConfigurationError('Input "webhook-url": is empty but webhook-required is true (is the secret available to this workflow? Secrets are not passed to workflows from forks)');
    }
    return {};
  }
  const check = checkWebhookUrl(url);
  if (check.problem) throw new ConfigurationError(`Input "webhook-url": ${check.problem}`);
  const settings: WebhookSettings = {
    url,
    format: inputs['webhook-format'],
    required: inputs['webhook-required'],
    events: inputs['webhook-events'].length ? inputs['webhook-events'] : DEFAULT_NOTIFY_EVENTS,
  };
  return { settings, ...(check.warning ? { warning: check.warning } : {}) };
}
