import { registerScheme } from '@conduit/runtime';
import { fifoFromUrl } from './fifo/fifo-transport.js';
import { multicastFromUrl } from './multicast/multicast-transport.js';
import { shmFromUrl } from './shm/shm-transport.js';
import { tcpFromUrl } from './tcp/tcp-transport.js';
import { udpFromUrl } from './udp/udp-transport.js';

export { tcp, type TcpOptions } from './tcp/tcp-transport.js';
export { pipe, type PipeChildExit, type PipeSpawnOptions, type PipeStdioOptions } from './pipe/pipe-transport.js';
export { fifo, type FifoOptions } from './fifo/fifo-transport.js';
export { shm, type ShmOptions } from './shm/shm-transport.js';
export { udp, type UdpOptions, type UdpTransport } from './udp/udp-transport.js';
export type { UdpStats, UdpDropReason, UdpDropListener } from './udp/udp-stats.js';
export { multicast, type MulticastOptions, type MulticastTransport } from './multicast/multicast-transport.js';
export type { MulticastStats, MulticastDropListener } from './multicast/multicast-stats.js';
export type { MulticastDropReason } from './multicast/multicast-datagram.js';
export {
  announce,
  discover,
  DISCOVERY_GROUP,
  DISCOVERY_PORT,
  type AnnounceOptions,
  type Announcement,
  type Discovered,
  type DiscoverOptions,
  type DiscoveryOptions,
} from './multicast/discovery.js';
export { StreamConnection, type StreamConnectionOptions, type StreamIo } from './stream/stream-connection.js';
export { LengthPrefixDecoder, LENGTH_PREFIX_BYTES } from './stream/length-prefix-decoder.js';
export { rpcErrorFromOs } from './os-errors.js';

registerScheme('tcp', tcpFromUrl);
registerScheme('fifo', fifoFromUrl);
registerScheme('shm', shmFromUrl);
registerScheme('udp', udpFromUrl);
registerScheme('multicast', multicastFromUrl);
