// A static file server that sends no cross-origin isolation headers, like a plain
// static host. The e2e tests serve the built site through it to check the
// service-worker fallback and the explanation screen.
//
//   tsx e2e/support/plainServer.ts <directory> <port>
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.md': 'text/plain; charset=utf-8',
};

const [dirArg, portArg] = process.argv.slice(2);
if (!dirArg || !portArg) {
  console.error('usage: plainServer.ts <directory> <port>');
  process.exit(2);
}
const root = resolve(dirArg);
const port = Number(portArg);

const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
  if (file !== root && !file.startsWith(root + sep)) {
    res.writeHead(403).end();
    return;
  }
  readFile(file).then(
    (body) => {
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
      res.end(body);
    },
    () => res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found'),
  );
});

server.listen(port, '127.0.0.1', () => console.log(`plain static server on http://127.0.0.1:${port}/ for ${root}`));
