import { registerScheme } from '@conduit/runtime';
import { tcpFromUrl } from './tcp/tcp-transport.js';

export { tcp, type TcpOptions } from './tcp/tcp-transport.js';
export { LengthPrefixDecoder, LENGTH_PREFIX_BYTES } from './stream/length-prefix-decoder.js';
export { rpcErrorFromOs } from './os-errors.js';

registerScheme('tcp', tcpFromUrl);
