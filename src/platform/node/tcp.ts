// TCP listeners and connections on node:net, which Node, Deno and Bun all implement. A connection
// is a web ReadableStream for reading and promise-returning writes, with back-pressure both ways.
import { Buffer } from "node:buffer";
import * as net from "node:net";
import type { SocketAddress, TcpConnectOptions, TcpConnection, TcpListenOptions, TcpListener } from "../types.ts";

function wrapSocket(socket: net.Socket): TcpConnection {
  socket.setNoDelay(true);
  let finished = false;
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      socket.on("data", (chunk: Buffer) => {
        if (finished) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) socket.pause();
      });
      socket.once("end", () => {
        if (finished) return;
        finished = true;
        controller.close();
      });
      socket.once("error", (error) => {
        if (finished) return;
        finished = true;
        controller.error(error);
      });
      socket.once("close", () => {
        if (finished) return;
        finished = true;
        controller.error(new Error("connection closed"));
      });
    },
    pull() {
      socket.resume();
    },
    cancel() {
      finished = true;
      socket.destroy();
    },
  }, { highWaterMark: 4 });
  const local: SocketAddress = { address: socket.localAddress ?? "", port: socket.localPort ?? 0 };
  const remote: SocketAddress = { address: socket.remoteAddress ?? "", port: socket.remotePort ?? 0 };
  return {
    local,
    remote,
    readable,
    write(data: Uint8Array) {
      if (socket.destroyed || !socket.writable) return Promise.reject(new Error("connection is closed"));
      return new Promise<void>((resolve, reject) => {
        socket.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength), (error) =>
          error ? reject(error) : resolve(),
        );
      });
    },
    end() {
      if (socket.destroyed || socket.writableEnded) return Promise.resolve();
      return new Promise<void>((resolve) => socket.end(() => resolve()));
    },
    close() {
      socket.destroy();
    },
  };
}

export async function nodeListenTcp(options: TcpListenOptions): Promise<TcpListener> {
  const server = net.createServer((socket) => {
    socket.on("error", () => {});
    options.onConnection(wrapSocket(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.hostname, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (error) => options.onError?.(error));
  const address = server.address() as net.AddressInfo;
  return {
    hostname: options.hostname,
    port: address.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function nodeConnectTcp(options: TcpConnectOptions): Promise<TcpConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: options.address, port: options.port });
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (options.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`dial tcp ${options.address}:${options.port}: i/o timeout`));
      }, options.timeoutMs);
    }
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      socket.on("error", () => {});
      resolve(wrapSocket(socket));
    });
  });
}
