/**
 * What happens after a step fails is decided here, and only here, from the error's kind:
 *
 *   user      → blocked (a person fixes the cause, then retries the run)
 *   bug       → dead (with the stack)
 *   transient → retry after backoff, or dead when attempts are exhausted
 *   ambiguous → reconcile first, then as transient when the effect is absent
 */
import type { ErrorKind } from './errors.ts';

export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  factor: number;
  /** 0..1: the share of each delay that is randomised (full jitter over that share). */
  jitter: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 8, initialDelayMs: 500, maxDelayMs: 5 * 60_000, factor: 2, jitter: 0.2 };

/**
 * The delay before attempt `attempt + 1`, after `attempt` failed (attempt is 1-based):
 * initial × factor^(attempt−1), capped at maxDelay, with `jitter` of it randomised downwards.
 * A `Retry-After` from the target wins when it asks for longer (still capped by maxDelay).
 */
export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfterMs?: number, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** Math.max(0, attempt - 1));
  const jittered = exp - exp * policy.jitter * random();
  const wanted = retryAfterMs !== undefined ? Math.max(jittered, retryAfterMs) : jittered;
  return Math.round(Math.min(policy.maxDelayMs, wanted));
}

export type FailureDecision =
  | { action: 'retry'; delayMs: number }
  | { action: 'reconcile' }
  | { action: 'block' }
  | { action: 'dead'; reason: 'exhausted' | 'bug' };

export function decideAfterFailure(kind: ErrorKind, attempt: number, policy: RetryPolicy, retryAfterMs?: number, random?: () => number): FailureDecision {
  switch (kind) {
    case 'user':
      return { action: 'block' };
    case 'bug':
      return { action: 'dead', reason: 'bug' };
    case 'ambiguous':
      return { action: 'reconcile' };
    case 'transient':
      if (attempt >= policy.maxAttempts) return { action: 'dead', reason: 'exhausted' };
      return { action: 'retry', delayMs: backoffDelay(policy, attempt, retryAfterMs, random) };
  }
}

export function mergeRetryPolicy(base: RetryPolicy, override: Partial<RetryPolicy> | undefined): RetryPolicy {
  return { ...base, ...Object.fromEntries(Object.entries(override ?? {}).filter(([, v]) => v !== undefined)) };
}
