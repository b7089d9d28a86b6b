// Node's own proxying floor: a node:http server that forwards every request to one upstream over a
// keep-alive pool and pipes the answer back. No credential, policy, audit or header rewriting beyond Host.
import http from 'node:http';
import { serveChild } from '../common.ts';

const upstream = new URL(process.argv[2] ?? 'http://127.0.0.1:1');
const agent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 });

const server = http.createServer((req, res) => {
  const headers = { ...req.headers, host: upstream.host };
  delete headers.connection;
  const up = http.request(
    {
      host: upstream.hostname,
      port: Number(upstream.port),
      path: req.url,
      method: req.method,
      headers,
      agent,
    },
    (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    },
  );
  up.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(up);
});
server.keepAliveTimeout = 60_000;

serveChild(server);
