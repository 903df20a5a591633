import { describe, expect, it } from 'vitest';
import { Code, RpcError } from '@conduit/runtime';
import { multicast, multicastFromUrl } from './multicast-transport.js';

/** Options only: nothing here sends a datagram (that is test/multicast's, in a network namespace of its own). */
describe('multicast()', () => {
  it('names the group as its address and cannot carry streams', () => {
    const transport = multicast({ group: '239.255.0.1', port: 4100 });
    expect(transport).toMatchObject({ name: 'multicast', address: 'multicast://239.255.0.1:4100', streams: false });
    expect(transport.stats).toMatchObject({ datagramsSent: 0, resends: 0 });
  });

  it('reads multicast://group:port', () => {
    expect(multicastFromUrl(new URL('multicast://239.1.2.3:5000')).address).toBe('multicast://239.1.2.3:5000');
    expect(() => multicastFromUrl(new URL('multicast://239.1.2.3'))).toThrow(/has no port/);
  });

  it.each([
    [{ group: '10.0.0.1', port: 4100 }, /group must be an IPv4 multicast address/],
    [{ group: '240.0.0.1', port: 4100 }, /group must be an IPv4 multicast address/],
    [{ group: 'ff02::1', port: 4100 }, /group must be an IPv4 multicast address/],
    [{ group: '239.0.0.1', port: 0 }, /port must be an integer from 1 to 65535/],
    [{ group: '239.0.0.1', port: 4100, interface: 'eth0' }, /interface must be a local IPv4 address/],
    [{ group: '239.0.0.1', port: 4100, ttl: 256 }, /ttl must be an integer from 0 to 255/],
    [{ group: '239.0.0.1', port: 4100, maxDatagramSize: 100 }, /maxDatagramSize must be from 256 to 65507/],
    [{ group: '239.0.0.1', port: 4100, replyDelay: -1 }, /replyDelay must be a number of milliseconds/],
  ])('refuses %j', (options, message) => {
    let thrown: unknown;
    try {
      multicast(options);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RpcError);
    expect((thrown as RpcError).code).toBe(Code.InvalidArgument);
    expect((thrown as RpcError).message).toMatch(message);
  });
});
