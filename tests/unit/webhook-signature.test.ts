import { describe, expect, it } from 'vitest';
import { sign, signedHeaders, verifySignature } from '../../server/comms/webhooks/signature.ts';

const body = '{"hello":"world"}';
const secret = 'whsec_test';
const now = 1_700_000_000_000;

describe('webhook signatures', () => {
  it('matches a known answer (openssl dgst -sha256 -hmac over "<timestamp>.<body>")', () => {
    expect(sign(secret, 1_700_000_000, body)).toBe('f592bbf3951cfc94e560eecfb5d9dd4da6b0fff2e626235f8ab4b54860925d0b');
  });

  it('puts signature, timestamp and delivery id in the headers, and they verify', () => {
    const headers = signedHeaders(secret, body, 'delivery1', now);
    expect(headers['X-Warroom-Timestamp']).toBe('1700000000');
    expect(headers['X-Warroom-Delivery']).toBe('delivery1');
    expect(headers['X-Warroom-Signature']).toBe('sha256=f592bbf3951cfc94e560eecfb5d9dd4da6b0fff2e626235f8ab4b54860925d0b');
    expect(verifySignature({ secret, body, signature: headers['X-Warroom-Signature'], timestamp: headers['X-Warroom-Timestamp'], now })).toBe(true);
  });

  it('refuses a changed body, a wrong secret, a moved timestamp, stale requests and malformed headers', () => {
    const { 'X-Warroom-Signature': signature, 'X-Warroom-Timestamp': timestamp } = signedHeaders(secret, body, 'd', now);
    const ok = { secret, body, signature, timestamp, now };
    expect(verifySignature({ ...ok, body: '{"hello":"World"}' })).toBe(false);
    expect(verifySignature({ ...ok, secret: 'whsec_other' })).toBe(false);
    expect(verifySignature({ ...ok, timestamp: String(Number(timestamp) + 1) })).toBe(false);
    expect(verifySignature({ ...ok, now: now + 301_000 })).toBe(false);
    expect(verifySignature({ ...ok, now: now + 299_000 })).toBe(true);
    expect(verifySignature({ ...ok, now: now + 3_600_000, toleranceSeconds: 7200 })).toBe(true);
    for (const bad of [null, '', 'sha256=', signature.replace('sha256=', 'sha1='), signature.slice(0, -2), `${signature}00`]) {
      expect(verifySignature({ ...ok, signature: bad })).toBe(false);
    }
    for (const bad of [null, '', 'abc', '-1']) expect(verifySignature({ ...ok, timestamp: bad })).toBe(false);
  });
});
