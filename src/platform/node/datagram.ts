// UDP sockets on node:dgram, which Node, Deno and Bun all implement.
import { Buffer } from "node:buffer";
import * as dgram from "node:dgram";
import type { DatagramOptions, DatagramSocket, SocketAddress } from "../types.ts";

export async function nodeBindDatagram(options: DatagramOptions): Promise<DatagramSocket> {
  const type = options.hostname.includes(":") ? "udp6" : "udp4";
  const socket = dgram.createSocket({ type, reuseAddr: false });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(options.port, options.hostname, () => {
      socket.off("error", reject);
      resolve();
    });
  });
  if (options.receiveBufferSize) {
    try {
      socket.setRecvBufferSize(options.receiveBufferSize);
    } catch {
      // Not every runtime lets us size the buffer; the OS default is used then.
    }
  }
  socket.on("message", (message: Buffer, info: dgram.RemoteInfo) => {
    options.onMessage(new Uint8Array(message.buffer, message.byteOffset, message.byteLength), {
      address: info.address,
      port: info.port,
    });
  });
  socket.on("error", (error) => options.onError?.(error));
  const bound = socket.address();
  let closed = false;
  return {
    hostname: options.hostname,
    port: bound.port,
    send(data: Uint8Array, to: SocketAddress) {
      if (closed) return Promise.reject(new Error("datagram socket is closed"));
      return new Promise<void>((resolve, reject) => {
        socket.send(Buffer.from(data.buffer, data.byteOffset, data.byteLength), to.port, to.address, (error) =>
          error ? reject(error) : resolve(),
        );
      });
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      return new Promise<void>((resolve) => {
        try {
          socket.close(() => resolve());
        } catch {
          resolve();
        }
      });
    },
  };
}
