// Starts the emulator: one TCP port that speaks AMQP 1.0 (what ServiceBusClient uses) and plain
// HTTP (the administration ATOM endpoint). The first bytes of a connection decide: an AMQP client
// opens with the protocol header "AMQP", anything else is HTTP. One port means the SDK's own
// connection string reaches both (the admin client keeps the Endpoint's host:port).
import { createServer as createHttpServer } from "node:http";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { AmqpBroker } from "./amqp";
import { handleAdmin } from "./admin";
import type { EmulatorConfig } from "./config";
import { Namespace } from "./namespace";

export interface ServiceBusEmulator {
  port: number;
  /** `Endpoint=sb://localhost:<port>;…;UseDevelopmentEmulator=true` */
  connectionString: string;
  /** Base URL of the administration endpoint (same port, plain HTTP). */
  adminUrl: string;
  namespace: Namespace;
  stop(): Promise<void>;
}

export const SANDBOX_KEY_NAME = "RootManageSharedAccessKey";
/** Not a secret: the emulator checks no tokens; the SDK only insists that a key is present. */
export const SANDBOX_KEY = "SAS_KEY_VALUE";

export function emulatorConnectionString(port: number, host = "localhost"): string {
  return `Endpoint=sb://${host}:${port};SharedAccessKeyName=${SANDBOX_KEY_NAME};SharedAccessKey=${SANDBOX_KEY};UseDevelopmentEmulator=true`;
}

export async function startEmulator(config: EmulatorConfig, options: { port?: number; host?: string; sweepMs?: number } = {}): Promise<ServiceBusEmulator> {
  const ns = new Namespace(config);
  const broker = new AmqpBroker(ns);
  const host = options.host ?? "127.0.0.1";
  // rhea accepts sockets through its own net.Server; it listens on an unused loopback port only so
  // that its 'connection' handler exists, and is handed the sockets the front port sniffed.
  const amqpServer: Server = broker.container.listen({ port: 0, host: "127.0.0.1" });
  const httpServer = createHttpServer((request, response) => handleAdmin(ns, request, response));
  const sockets = new Set<Socket>();
  const front = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.once("data", (chunk: Buffer) => {
      socket.pause();
      socket.unshift(chunk);
      const target = chunk.subarray(0, 4).toString("latin1") === "AMQP" ? amqpServer : httpServer;
      target.emit("connection", socket);
      socket.resume();
    });
  });
  await new Promise<void>((resolve, reject) => {
    front.once("error", reject);
    front.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (front.address() as AddressInfo).port;
  // Expiry, lapsed locks and due scheduled messages are also applied on every operation; the timer
  // makes a waiting receiver see a scheduled message or a released lock without polling.
  const timer = setInterval(() => {
    ns.sweep();
    broker.pumpAll();
  }, options.sweepMs ?? 100);
  timer.unref();
  return {
    port,
    connectionString: emulatorConnectionString(port),
    adminUrl: `http://localhost:${port}/`,
    namespace: ns,
    async stop() {
      clearInterval(timer);
      for (const socket of sockets) socket.destroy();
      await Promise.all([
        new Promise<void>((resolve) => front.close(() => resolve())),
        new Promise<void>((resolve) => amqpServer.close(() => resolve())),
        new Promise<void>((resolve) => { httpServer.close(() => resolve()); }),
      ]);
    },
  };
}
