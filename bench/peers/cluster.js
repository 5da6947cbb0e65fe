// Node.js `cluster` twin of the Prefork example app: `/` and `/burn?ms=N`, WORKERS processes.
// Usage: node cluster.js PORT WORKERS   (binds 127.0.0.1 only)
'use strict';
const cluster = require('node:cluster');
const http = require('node:http');

const port = Number(process.argv[2]);
const workers = Number(process.argv[3] || 2);
const BODY = 'Hello, World!';

if (cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  // The bench script stops us by PID with TERM: take the workers down with us.
  const stop = () => {
    for (const id in cluster.workers) cluster.workers[id].process.kill('SIGKILL');
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} else {
  const pid = String(process.pid);
  http.createServer((req, res) => {
    if (req.url.startsWith('/burn')) {
      // Busy-wait on the event loop like the example's /burn: it models a handler that blocks.
      const ms = Number(new URL(req.url, 'http://x').searchParams.get('ms') || 0);
      const end = process.hrtime.bigint() + BigInt(Math.round(ms * 1e6));
      while (process.hrtime.bigint() < end) { /* burn */ }
    }
    res.writeHead(200, {
      'Content-Type': 'text/plain',
      'Content-Length': BODY.length,
      'X-Worker-Pid': pid,
    });
    res.end(BODY);
  }).listen(port, '127.0.0.1');
  // Exit if the primary goes away without telling us.
  process.on('disconnect', () => process.exit(0));
}
