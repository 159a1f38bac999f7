import type { UsageAlert } from '../protocol/usage';
import type { WebhookSettings } from './settings';

/** Slack's incoming-webhook message: `text` is the notification fallback, `blocks` the layout. */
export interface SlackMessage {
  text: string;
  blocks: ({ type: 'section'; text: { type: 'mrkdwn'; text: string } } | { type: 'context'; elements: { type: 'mrkdwn'; text: string }[] })[];
}

const ICON: Record<UsageAlert['severity'], string> = { warning: ':warning:', critical: ':rotating_light:' };

export function slackMessage(alert: UsageAlert): SlackMessage {
  const evidence = Object.entries(alert.evidence)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`)
    .join(' · ');
  return {
    text: `Corral ${alert.severity}: ${alert.message}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `${ICON[alert.severity]} *${alert.kind}* — ${alert.message}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `${evidence.slice(0, 2900)}\nacknowledge: \`corral usage alerts --ack ${alert.id}\`` }] },
    ],
  };
}

export type DeliveryResult = { delivered: true; attempts: number } | { delivered: false; attempts: number; error: string };

/**
 * POSTs the message, retrying network errors, timeouts, 429 and 5xx with exponential backoff
 * (backoffMs, ×2 each time; a 429's Retry-After is honoured up to a minute). Other 4xx answers
 * will not change on retry and end the attempt.
 */
export async function postWebhook(settings: WebhookSettings, body: SlackMessage, wait: (ms: number) => Promise<void>, signal?: AbortSignal): Promise<DeliveryResult> {
  let error = '';
  for (let attempt = 1; attempt <= settings.retries + 1; attempt++) {
    let retryAfterMs: number | undefined;
    try {
      const response = await fetch(settings.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(settings.timeoutMs)]) : AbortSignal.timeout(settings.timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return { delivered: true, attempts: attempt };
      error = `HTTP ${response.status}`;
      if (response.status !== 429 && response.status < 500) return { delivered: false, attempts: attempt, error };
      const header = Number(response.headers.get('retry-after'));
      if (response.status === 429 && Number.isFinite(header) && header > 0) retryAfterMs = Math.min(header * 1000, 60_000);
    } catch (caught) {
      if (signal?.aborted) return { delivered: false, attempts: attempt, error: 'cancelled' };
      error = (caught as Error).message;
    }
    if (attempt <= settings.retries) await wait(retryAfterMs ?? settings.backoffMs * 2 ** (attempt - 1));
  }
  return { delivered: false, attempts: settings.retries + 1, error };
}
