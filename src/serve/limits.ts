// Rate limits for what a stranger can make castwright do: send a confirmation message, or try
// confirmation links. Token buckets, one per key (a client's network, an address), kept in a map
// of bounded size: when it is full the key not seen for longest is forgotten.
export interface Limit {
  /** Requests allowed at once. */
  burst: number;
  /** One more allowed every this many milliseconds. */
  everyMs: number;
}

/** Sign-ups from one network (an IPv4 address, an IPv6 /64). */
export const SIGNUPS_PER_CLIENT: Limit = { burst: 10, everyMs: 6 * 60_000 };
/** Confirmation messages to one address: a few tries, then one every eight hours. */
export const SIGNUPS_PER_ADDRESS: Limit = { burst: 3, everyMs: 8 * 3600_000 };
/** Confirmation attempts (GET and POST) from one network. */
export const CONFIRMS_PER_CLIENT: Limit = { burst: 30, everyMs: 60_000 };

const MAX_KEYS = 50_000;

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly limit: Limit,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one request from the key's bucket; false when there is none left. */
  take(key: string): boolean {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.limit.burst, at: now };
    this.buckets.delete(key);
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + (now - bucket.at) / this.limit.everyMs);
    bucket.at = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    if (this.buckets.size > MAX_KEYS) this.buckets.delete(this.buckets.keys().next().value!);
    return allowed;
  }

  /** Seconds until the key may try again. */
  retryAfter(key: string): number {
    const bucket = this.buckets.get(key);
    if (!bucket) return 0;
    return Math.max(1, Math.ceil(((1 - bucket.tokens) * this.limit.everyMs) / 1000));
  }
}
