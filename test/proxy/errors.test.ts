import { describe, expect, it } from 'vitest';
import { classifyUpstreamError, errorReply, isRetryable, proxyErrorKinds } from '../../src/proxy/errors.ts';

describe('error catalogue', () => {
  it.each([
    ['ECONNREFUSED', 'upstream-refused', 502, true],
    ['ECONNRESET', 'upstream-refused', 502, true],
    ['SLUICE_UPSTREAM_CLOSED', 'upstream-refused', 502, true],
    ['SLUICE_STALE_CONNECTION', 'upstream-refused', 502, true],
    ['SLUICE_POOL_CLOSED', 'upstream-refused', 502, true],
    ['SLUICE_CONNECT_TIMEOUT', 'upstream-connect-timeout', 504, true],
    ['SLUICE_READ_TIMEOUT', 'upstream-read-timeout', 504, false],
    ['SLUICE_SEND_TIMEOUT', 'upstream-send-timeout', 504, false],
    ['HPE_INVALID_CONSTANT', 'upstream-bad-response', 502, false],
    ['SLUICE_BAD_RESPONSE', 'upstream-bad-response', 502, false],
    ['SLUICE_INVALID_REQUEST', 'bad-request', 400, false],
    ['SLUICE_BODY_TOO_LARGE', 'body-too-large', 413, false],
    ['SOMETHING_ELSE', 'internal', 500, false],
  ])('%s → %s (%i, retryable %s)', (code, kind, status, retryable) => {
    const classified = classifyUpstreamError(Object.assign(new Error('x'), { code }));
    expect(classified).toBe(kind);
    expect(errorReply(classified).status).toBe(status);
    expect(isRetryable(classified)).toBe(retryable);
  });

  it('bodies are tiny and name only the status', () => {
    for (const kind of proxyErrorKinds) {
      const reply = errorReply(kind);
      expect(reply.body.toString()).toBe(`${reply.status} ${reply.reason}\n`);
      expect(reply.headers).toContain(String(reply.body.length));
    }
  });
});
