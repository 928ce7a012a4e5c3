// Webhook retries: exponential back-off from a configurable base, each wait capped at one hour,
// until 24 hours have passed since the first attempt (DESIGN.md §5).
export const WEBHOOK_RETRY_WINDOW_MS = 24 * 3600 * 1000;
const MAX_DELAY_MS = 3600 * 1000;

/** Delay before attempt `attemptsMade + 1`, after `attemptsMade` failures. */
export function webhookRetryDelay(attemptsMade: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, attemptsMade - 1), MAX_DELAY_MS);
}

/** How many attempts fit in the 24-hour window with this base. */
export function webhookMaxAttempts(baseMs: number): number {
  let elapsed = 0;
  let attempts = 1;
  while (elapsed + webhookRetryDelay(attempts, baseMs) <= WEBHOOK_RETRY_WINDOW_MS) {
    elapsed += webhookRetryDelay(attempts, baseMs);
    attempts += 1;
  }
  return attempts;
}

/** Simulcast relays: 1 s, 2 s, 4 s … capped at 30 s, for as long as the session is live. */
export function relayRetryDelay(attemptsMade: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attemptsMade - 1), 30_000);
}

/**
 * Live ladders: 0.5 s, 1 s, 2 s … capped at 5 s, for as long as the session is live (viewers are
 * waiting; a bad input is an UnrecoverableError and is not retried at all).
 */
export function ladderRetryDelay(attemptsMade: number): number {
  return Math.min(500 * 2 ** Math.max(0, attemptsMade - 1), 5000);
}
