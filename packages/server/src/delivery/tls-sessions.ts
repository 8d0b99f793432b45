import type { TLSSocket } from 'node:tls';
import { buildConnector } from 'undici';

/** TLS sessions kept for resumption, one per host and port (the least recently stored go first). */
const MAX_SESSIONS = 1_000;

/**
 * undici's connector with TLS session resumption that holds: undici keeps each host's session behind
 * a `WeakRef`, which the next garbage collection clears, so in a busy worker nearly every new
 * connection made a full handshake (5 connections to one receiver resumed 1). This keeps the last
 * session of each host and port strongly, bounded, and hands it to the connection made next. By port
 * too: two servers on one host (receivers on their own ports) do not share sessions, and a session
 * of one offered to the other only costs a full handshake.
 */
export function resumingConnector(options: buildConnector.BuildOptions): buildConnector.connector {
  const sessions = new Map<string, Buffer>();
  return (connectOptions, callback) => {
    const key = `${connectOptions.servername || connectOptions.hostname}:${connectOptions.port}`;
    const connect = buildConnector({ ...options, maxCachedSessions: 0, session: sessions.get(key) });
    const socket = connect(connectOptions, callback) as unknown as TLSSocket | undefined;
    if (connectOptions.protocol === 'https:')
      socket?.on('session', (session: Buffer) => {
        sessions.delete(key);
        sessions.set(key, session);
        if (sessions.size > MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
      });
    return socket as never;
  };
}
