// Preloaded into the Next.js server process by scripts/start.ts (NODE_OPTIONS=--require): stamps
// every request with its socket's peer address in x-dlc-peer-address, overwriting whatever the
// client sent under that name. Next.js gives route handlers no socket and keeps a client-sent
// X-Forwarded-For, so without this the console could not tell a client's own address from one it
// typed. lib/auth/client-ip.ts reads the header, and only when the marker below says this ran.
"use strict";
// CommonJS so NODE_OPTIONS=--require loads it before Next.js, in `next dev`'s forked server too.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const http = require("node:http");

const HEADER = "x-dlc-peer-address";
const emit = http.Server.prototype.emit;

http.Server.prototype.emit = function emitWithPeerAddress(event, request, ...rest) {
  if (event === "request" && request && request.headers) request.headers[HEADER] = (request.socket && request.socket.remoteAddress) || "";
  return emit.call(this, event, request, ...rest);
};

globalThis[Symbol.for("dead-letter-console.peer-address")] = HEADER;
