import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";

/** Sends one OPTIONS over UDP from loopback; true when any SIP response comes back within `timeoutMs`. */
export function sipAnswers(address: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket("udp4");
    const finish = (answered: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(answered);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once("error", () => finish(false));
    socket.on("message", (message) => {
      if (message.subarray(0, 8).toString() === "SIP/2.0 ") finish(true);
    });
    socket.bind(0, "127.0.0.1", () => {
      const local = socket.address();
      const id = randomBytes(8).toString("hex");
      const request = [
        `OPTIONS sip:${address}:${port} SIP/2.0`,
        `Via: SIP/2.0/UDP ${local.address}:${local.port};branch=z9hG4bK${id};rport`,
        `From: <sip:ping@${local.address}>;tag=${id}`,
        `To: <sip:${address}:${port}>`,
        `Call-ID: ${id}@bench`,
        "CSeq: 1 OPTIONS",
        "Max-Forwards: 70",
        "Content-Length: 0",
        "",
        "",
      ].join("\r\n");
      socket.send(request, port, address);
    });
  });
}
