import { execFileSync } from "node:child_process";

/** The interface baresip binds to, and the loopback address it holds. */
export const LOOPBACK_INTERFACE = { name: "zqa", peer: "zqb", address: "127.0.1.1" } as const;

/**
 * Creates a veth interface holding a 127.0.1.1/32, once per machine (root only).
 *
 * baresip writes the address of a network interface into its SDP and Contact, and ignores `lo`.
 * An interface of its own that holds a loopback address keeps its signalling and media on
 * 127.0.0.0/8. The interface stays after the test: a second run, or another test file running
 * at the same time, finds it in place.
 */
export function ensureLoopbackInterface(): string {
  const { name, peer, address } = LOOPBACK_INTERFACE;
  if (!ip(["-o", "link", "show", name], true).includes(name)) {
    ip(["link", "add", name, "type", "veth", "peer", "name", peer]);
  }
  if (!ip(["-o", "addr", "show", "dev", name], true).includes(` ${address}/32 `)) {
    ip(["addr", "add", `${address}/32`, "dev", name]);
  }
  ip(["link", "set", name, "up"]);
  ip(["link", "set", peer, "up"]);
  return address;
}

/** Runs `ip`; a change another run made first ("File exists", "already assigned") is not an error. */
function ip(args: string[], query = false): string {
  try {
    return execFileSync("ip", args, { stdio: ["ignore", "pipe", "pipe"], timeout: 5_000 }).toString();
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? "");
    if (query || /File exists|already assigned/.test(stderr)) return "";
    throw new Error(`ip ${args.join(" ")} failed: ${stderr.trim() || String(error)}`);
  }
}
