import { describe, expect, it } from 'vitest';
import { Code} from '@conduit/runtime';
import { udp, udpFromUrl } from './udp-transport.js';
import { udpUrl } from './udp-url.js';
import { thrown } from '../../../../test/support/rejection.js';

describe('udp URLs and options', () => {
  it('takes udp://host:port, IPv6 hosts in brackets, and reports the same URL', () => {
    expect(udpFromUrl(new URL('udp://127.0.0.1:4000')).address).toBe('udp://127.0.0.1:4000');
    expect(udpFromUrl(new URL('udp://[::1]:4000')).address).toBe('udp://[::1]:4000');
    expect(udpUrl('::1', 9)).toBe('udp://[::1]:9');
    expect(udp().address).toBe('udp://127.0.0.1:0');
  });

  it('declares that it carries no streams', () => {
    expect(udp()).toMatchObject({ name: 'udp', streams: false });
  });

  it('refuses URLs without a port, or with a path or query, with InvalidArgument', () => {
    for (const [url, words] of [
      ['udp://127.0.0.1', 'has no port'],
      ['udp://127.0.0.1:4000/x', 'has a path'],
      ['udp://127.0.0.1:4000?x=1', 'has a query or fragment'],
    ] as const) {
      const error = thrown(() => udpFromUrl(new URL(url)));
      expect(error.code).toBe(Code.InvalidArgument);
      expect(error.message).toContain(words);
    }
  });

  it('refuses options out of range, naming them', () => {
    for (const [options, words] of [
      [{ maxDatagramSize: 100 }, 'maxDatagramSize must be from 256 to 65507'],
      [{ maxDatagramSize: 70_000 }, 'maxDatagramSize must be from 256 to 65507'],
      [{ port: 70_000 }, 'port must be an integer from 0 to 65535'],
      [{ retryWindow: 0 }, 'retryWindow must be a positive integer'],
      [{ maxMessageSize: 1.5 }, 'maxMessageSize must be a positive integer'],
      [{ maxMessageSize: 2048, replyCache: { maxBytes: 1024 } }, 'replyCache.maxBytes (1024) must be at least maxMessageSize (2048)'],
    ] as const) {
      const error = thrown(() => udp(options));
      expect(error.code).toBe(Code.InvalidArgument);
      expect(error.message).toContain(words);
    }
  });
});
