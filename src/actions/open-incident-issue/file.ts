import { ConfigurationError, describeError } from '../../core/action/errors.js';
import type { Logger } from '../../core/action/log.js';
import type { IncidentApi } from '../../core/incident/api.js';
import { fingerprintLabel } from '../../core/incident/fingerprint.js';
import { type IncidentConfig, type IncidentResult, runIncident } from '../../core/incident/incident.js';
import { KIND_STATUS } from '../../core/incident/render.js';
import { type EventExtras, incidentEvent } from '../../core/notify/incident-event.js';
import type { NotifyEvent } from '../../core/notify/event.js';
import { type NotifyOutcome, notifyChat } from '../../core/notify/notify.js';
import type { SendDeps } from '../../core/notify/send.js';
import type { WebhookSettings } from '../../core/notify/settings.js';
import { cell } from '../../core/util/text.js';
import { summarise } from './main.js';

export interface FileIncidentDeps {
  api: IncidentApi;
  log: Logger;
  now: () => number;
  webhook?: { settings: WebhookSettings; send: SendDeps };
}

export interface FiledIncident {
  incident?: IncidentResult;
  chat?: NotifyOutcome;
  /** The summary section: the issue (and chat) as summarise() tells it, or why there is no issue. */
  summary: string;
  /** The issue could not be opened, or its work failed: the step fails after everything else is done. */
  failure?: string;
}

/**
 * Opens or updates the incident for an action that did something first (the one-step rollbacks): the issue,
 * then chat. An issue that cannot be opened is a failure reported after the work, never a thrown error (the
 * branch or the tag already moved); chat still hears what was done and why there is no issue to follow.
 */
export async function fileIncident(config: IncidentConfig, extras: EventExtras, deps: FileIncidentDeps, dryRun: boolean): Promise<FiledIncident> {
  const { log } = deps;
  let incident: IncidentResult | undefined;
  let event: NotifyEvent | undefined;
  let failure: string | undefined;
  try {
    incident = await runIncident(config, { api: deps.api, log, now: deps.now });
    event = incidentEvent(config, incident, extras);
    if (incident.failure) failure = incident.failure;
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    failure = `the incident issue could not be opened: ${describeError(error)}`;
    log.warning(failure);
    const unfiled: IncidentResult = { operation: 'created', label: fingerprintLabel(config.fingerprint), status: KIND_STATUS[config.kind], steps: [], reason: '', duplicatesClosed: [], dryRun: config.dryRun };
    event = incidentEvent(config, unfiled, { ...extras, reason: failure });
  }
  // After the issue: a webhook failure never undoes it.
  const chat = deps.webhook ? await notifyChat(deps.webhook.settings, event, dryRun, { ...deps.webhook.send, log }) : undefined;
  const summary = incident ? summarise(config, incident, chat) : chat ? `**Webhook:** ${cell(chat.line, 600)}` : '';
  return { ...(incident ? { incident } : {}), ...(chat ? { chat } : {}), summary, ...(failure ? { failure } : {}) };
}
