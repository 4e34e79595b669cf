/**
 * The `webhook-url` input: checked before anything is done, and the parts of it that are secret.
 * Chat webhook URLs carry their credential in the path (Slack `/services/T…/B…/<token>`, Discord
 * `/api/webhooks/<id>/<token>`) or the query (Teams workflows `…&sig=<signature>`): the whole URL, its path
 * and query, and every long segment of them are masked, so none of them shows even when a service echoes a
 * part back.
 */

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export interface WebhookUrlCheck {
  /** Why the URL cannot be used (never quoting it: it is a secret). */
  problem?: string;
  /** Something to warn about (plain http to a host that is not this machine). */
  warning?: string;
}

/**
 * https:// anywhere; http:// to this machine (a relay or a test server) silently, and to any other host with a
 * warning: GitHub Enterprise Server users may have an internal chat server without TLS, but the secret
 * then crosses the network in clear text. Anything else (no scheme, ftp:, a URL with spaces) is refused.
 */
export function checkWebhookUrl(value: string): WebhookUrlCheck {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: 'is not a URL (expected https://…; the value is a secret and is not shown)' };
  }
  if (url.protocol === 'https:') return {};
  if (url.protocol === 'http:') {
    if (LOOPBACK.has(url.hostname)) return {};
    return { warning: `Input "webhook-url": plain http:// to ${url.hostname}: the webhook's secret crosses the network unencrypted; use https:// if the server offers it` };
  }
  return { problem: `must be an https:// URL, got a ${url.protocol.replace(/:$/, '')}: URL (the value is a secret and is not shown)` };
}

/** Segments shorter than this are ids or words ("services", "api"), not tokens: masking them would blank out ordinary log text. */
const TOKEN_MIN = 16;

/** Every form of the URL's secret to mask: the URL, its path and query, and each long path segment or query value. */
export function webhookSecrets(value: string): string[] {
  const secrets = new Set<string>([value]);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [...secrets];
  }
  const pathAndQuery = `${url.pathname}${url.search}`;
  if (pathAndQuery.length >= TOKEN_MIN) secrets.add(pathAndQuery);
  if (url.pathname.length >= TOKEN_MIN) secrets.add(url.pathname);
  if (url.search.length >= TOKEN_MIN) secrets.add(url.search.slice(1));
  for (const segment of url.pathname.split('/')) if (segment.length >= TOKEN_MIN) secrets.add(segment);
  for (const [, v] of url.searchParams) if (v.length >= TOKEN_MIN) secrets.add(v);
  if (url.password) secrets.add(url.password);
  return [...secrets];
}
