import { CorralError } from '../errors';
import { ErrorCode } from '../protocol';

/** Resource limits of one jail. Hardening itself (no network, no capabilities, ...) is not negotiable. */
export interface JailLimits {
  memoryBytes: number;
  /** CPU cores, fractional allowed. */
  cpus: number;
  pids: number;
  /** Size of the tmpfs at /tmp. */
  tmpBytes: number;
}

export const MiB = 1024 * 1024;

export const DEFAULT_LIMITS: JailLimits = { memoryBytes: 1024 * MiB, cpus: 1, pids: 256, tmpBytes: 256 * MiB };

/** What a user may ask for at most; an admin sets these in the daemon's config. */
export const DEFAULT_MAXIMA: JailLimits = { memoryBytes: 8192 * MiB, cpus: 4, pids: 4096, tmpBytes: 2048 * MiB };

const MINIMA: JailLimits = { memoryBytes: 16 * MiB, cpus: 0.1, pids: 16, tmpBytes: 1 * MiB };

/** The uid and gid commands run as inside every jail. */
export const JAIL_USER = '1000:1000';

/**
 * Requested limits on top of the defaults, each checked against the minimum that keeps a shell
 * alive and the admin's maximum. A refusal names the limit and the allowed range.
 */
export function resolveLimits(requested: Partial<JailLimits> = {}, defaults: JailLimits = DEFAULT_LIMITS, maxima: JailLimits = DEFAULT_MAXIMA): JailLimits {
  const limits = { ...defaults };
  for (const key of Object.keys(limits) as (keyof JailLimits)[]) {
    const value = requested[key];
    if (value === undefined) continue;
    if (!Number.isFinite(value) || value < MINIMA[key] || value > maxima[key]) {
      throw new CorralError(
        ErrorCode.InvalidParams,
        `${key} ${value} is outside the allowed range ${MINIMA[key]}..${maxima[key]}`,
        'ask for less, or have the admin raise the maximum in $CORRAL_HOME/config.json',
      );
    }
    limits[key] = value;
  }
  return limits;
}
