import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Request signing, the Stripe/Slack way: HMAC-SHA256 over
 * "<unix seconds>.<raw body>" with the endpoint's secret. The timestamp is
 * inside the MAC so a captured request cannot be replayed later with a new one.
 */
export const SIGNATURE_HEADER = 'X-Warroom-Signature';
export const TIMESTAMP_HEADER = 'X-Warroom-Timestamp';
export const DELIVERY_HEADER = 'X-Warroom-Delivery';

/** Receivers should refuse requests older (or newer) than this. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export function sign(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** Headers for one attempt; the delivery id stays the same across retries so receivers can de-duplicate. */
export function signedHeaders(secret: string, body: string, deliveryId: string, now = Date.now()): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  return {
    'content-type': 'application/json',
    'user-agent': 'Warroom-Webhooks/1',
    [SIGNATURE_HEADER]: `sha256=${sign(secret, timestamp, body)}`,
    [TIMESTAMP_HEADER]: String(timestamp),
    [DELIVERY_HEADER]: deliveryId,
  };
}

/**
 * For receivers (and our tests): true when `signature` is a valid
 * "sha256=<hex>" for this body and timestamp, and the timestamp is recent.
 * Compares in constant time.
 */
export function verifySignature(input: {
  secret: string;
  body: string;
  signature: string | null | undefined;
  timestamp: string | null | undefined;
  toleranceSeconds?: number;
  now?: number;
}): boolean {
  const { secret, body, signature, timestamp } = input;
  if (!signature || !timestamp || !/^\d{1,12}$/.test(timestamp)) return false;
  const seconds = Number(timestamp);
  const now = Math.floor((input.now ?? Date.now()) / 1000);
  if (Math.abs(now - seconds) > (input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return false;
  const match = /^sha256=([0-9a-f]{64})$/.exec(signature.trim().toLowerCase());
  if (!match) return false;
  const expected = Buffer.from(sign(secret, seconds, body), 'hex');
  return timingSafeEqual(expected, Buffer.from(match[1], 'hex'));
}
