/**
 * What every Conduit server that announces itself answers on a discovery group: which of its
 * services live at which URLs. `announce()` serves it; `discover()` asks the whole group.
 */
export interface Discovery {
  /**
   * The URLs (`tcp://…`, `udp://…`, `shm://…`, `fifo://…`) where this server serves `service`;
   * empty when it does not serve it.
   * @idempotent
   */
  find(service: string): Promise<string[]>;
}
