import { spawn } from "node:child_process";

const BIN = new URL("../../bin/zaqros.mjs", import.meta.url).pathname;

/** What a finished `zaqros` process left: its exit code and everything it printed. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `zaqros` command in a process of its own against `dataDir`, with nothing of this
 * process's environment but PATH and HOME, as an operator's shell would.
 */
export function runZaqros(dataDir: string, args: readonly string[]): Promise<CliRun> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ZAQROS_DATA_DIR: dataDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}
