import type { NotifyEvent } from './event.js';
import { jsonMessage } from './json.js';
import { slackMessage } from './slack.js';
import { teamsMessage } from './teams.js';

export const WEBHOOK_FORMATS = ['slack', 'teams', 'json'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** The request body for a format: a plain object, serialised by the sender. */
export function buildMessage(format: WebhookFormat, event: NotifyEvent): Record<string, unknown> {
  return format === 'teams' ? teamsMessage(event) : format === 'json' ? jsonMessage(event) : slackMessage(event);
}
