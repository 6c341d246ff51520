import type { Config } from "../config/config.ts";
import { composePlatform } from "../main/compose.ts";

/** Runs the platform until SIGTERM or SIGINT, then shuts down gracefully; resolves with the exit code. */
export async function startCommand(config: Config): Promise<number> {
  const platform = await composePlatform(config);
  try {
    const { portalUrl, httpsUrl } = await platform.start();
    const alsoHttps = httpsUrl && httpsUrl !== portalUrl ? ` (HTTPS: ${httpsUrl})` : "";
    process.stdout.write(`Zaqros is running. Open the portal at ${portalUrl}${alsoHttps}\n`);
  } catch (error) {
    platform.logger.error({ err: error }, "could not start");
    await platform.stop();
    return 1;
  }
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      platform.logger.info({ signal }, "signal received");
      platform.stop().then(
        () => resolve(0),
        (error) => {
          platform.logger.error({ err: error }, "shutdown failed");
          resolve(1);
        },
      );
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
  });
}
