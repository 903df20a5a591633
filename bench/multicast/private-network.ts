import { networkInterfaces } from 'node:os';

/**
 * Exits with a message unless this process is in a network namespace whose only interface is
 * loopback (`scripts/private-network.sh`): the multicast bench sends nowhere else.
 */
export function requirePrivateNetwork(script: string): void {
  const others = Object.keys(networkInterfaces()).filter((name) => name !== 'lo');
  if (others.length === 0) return;
  process.stderr.write(
    `${script} sends multicast, so it runs only in a private network namespace; this one has ${others.join(', ')}.\n` +
      `Run it under scripts/private-network.sh.\n`,
  );
  process.exit(2);
}
