// A fake remote provider that answers in raw bytes on a real socket, for answers no HTTP server library
// would write (repeated or odd headers, 1xx floods, bad lengths, compressed transfer codings). It reads each
// request head (and its Content-Length body) and lets the test answer by request path.
import { createServer, type Server, type Socket } from 'node:net';

export interface RawConnection {
  socket: Socket;
  /** The target of the last request read on this connection. */
  path: string;
  /** Resolves when the connection has closed, from either side. */
  closed: Promise<void>;
}

export interface RawProvider {
  url: string;
  server: Server;
  /** Every connection seen, in order. */
  connections: RawConnection[];
  close(): Promise<void>;
}

/** Starts a raw provider; `answer` is called once per complete request with its path (no query). */
export async function startRawProvider(answer: (socket: Socket, path: string) => void): Promise<RawProvider> {
  const connections: RawConnection[] = [];
  const server = createServer((socket) => {
    const conn: RawConnection = {
      socket,
      path: '',
      closed: new Promise((resolve) => socket.once('close', () => resolve())),
    };
    connections.push(conn);
    socket.on('error', () => undefined);
    let seen = '';
    socket.on('data', (c: Buffer) => {
      seen += c.toString('latin1');
      while (seen.includes('\r\n\r\n')) {
        const head = seen.slice(0, seen.indexOf('\r\n\r\n'));
        const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
        const total = head.length + 4 + Number(length ?? 0);
        if (seen.length < total) return;
        seen = seen.slice(total);
        conn.path = (head.split(' ')[1] ?? '').replace(/\?.*/, '');
        answer(socket, conn.path);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  return {
    url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`,
    server,
    connections,
    close: async () => {
      // A keep-alive pool keeps its connections open: close them from this side so the server stops at once.
      for (const c of connections) c.socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
