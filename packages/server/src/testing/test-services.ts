import { forEachDialect, type TestDatabase } from "../db/testing/dialects.ts";
import { composeServices, type ServiceOptions, type Services } from "../main/compose.ts";

export const TEST_SIP_DOMAIN = "sip.test.zaqros";

/** A clock tests move by hand. */
export class ManualClock {
  constructor(private current = new Date("2026-11-30T12:00:00.000Z")) {}
  now = () => new Date(this.current);
  advance(seconds: number) {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

/** Runs a suite on SQLite and PostgreSQL with the real services over a fresh database. */
export function forEachDialectWithServices(
  name: string,
  suite: (context: () => { services: Services; database: TestDatabase; clock: ManualClock }) => void,
  options: Partial<ServiceOptions> = {},
): void {
  forEachDialect(name, (database) => {
    let cached: { services: Services; database: TestDatabase; clock: ManualClock } | undefined;
    suite(() => {
      if (!cached || cached.database !== database()) {
        const clock = new ManualClock();
        cached = {
          database: database(),
          clock,
          services: composeServices(database().db, {
            sipDomain: TEST_SIP_DOMAIN,
            now: clock.now,
            ...options,
          }),
        };
      }
      return cached;
    });
  });
}
