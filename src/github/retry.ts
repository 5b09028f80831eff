/**
 * Retries a GitHub request when the failure is passing: a 5xx, a rate limit, a network error
 * (which Octokit reports as status 500) or a timeout. A 4xx is final. The delay is injectable so
 * tests need not wait. A budget signal bounds it all: once aborted, no retry starts and a wait in
 * progress ends at once.
 */

export interface RetryOptions {
  /** Tries in all, the first included. */
  attempts: number;
  /** Delay before the first retry; each next one doubles. */
  baseDelayMs: number;
  /** Waits `ms` milliseconds (tests pass a fake). */
  delay: (ms: number) => Promise<void>;
  /** Called before each retry (for a log line). */
  onRetry?: (error: unknown, attempt: number, waitMs: number) => void;
}

export const DEFAULT_RETRY: RetryOptions = {
  attempts: 4,
  baseDelayMs: 1000,
  delay: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** The HTTP status of an Octokit error; 0 when there was no response. */
export function statusOf(error: unknown): number {
  const status = (error as { status?: unknown })?.status;
  return typeof status === 'number' ? status : 0;
}

export function isTransient(error: unknown): boolean {
  const status = statusOf(error);
  if (status === 0 || status >= 500 || status === 429) return true;
  // GitHub's secondary rate limits answer 403 with retry-after or no remaining quota.
  const headers = (error as { response?: { headers?: Record<string, string | undefined> } })?.response?.headers;
  return status === 403 && (headers?.['retry-after'] !== undefined || headers?.['x-ratelimit-remaining'] === '0');
}

export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions, budget?: AbortSignal): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= options.attempts || !isTransient(error) || budget?.aborted) throw error;
      await backOff(error, attempt, options, budget);
      if (budget?.aborted) throw error;
    }
  }
}

/** The wait before try `attempt + 1`, cut short when the budget runs out. */
export async function backOff(error: unknown, attempt: number, options: RetryOptions, budget?: AbortSignal): Promise<void> {
  const wait = options.baseDelayMs * 2 ** (attempt - 1);
  options.onRetry?.(error, attempt, wait);
  if (!budget) return options.delay(wait);
  let onAbort = () => {};
  const aborted = new Promise<void>((resolve) => {
    onAbort = resolve;
    budget.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([options.delay(wait), aborted]);
  } finally {
    budget.removeEventListener('abort', onAbort);
  }
}
