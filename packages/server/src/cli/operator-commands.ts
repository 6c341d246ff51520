import { readFileSync } from "node:fs";
import type { Command } from "commander";
import type { Config } from "../config/config.ts";
import { openServices, type Services } from "../main/compose.ts";
import { emit } from "./output.ts";

type Json = { json?: boolean };

async function withServices<T>(config: () => Config, work: (services: Services) => Promise<T>): Promise<T> {
  const { services, close } = await openServices(config());
  try {
    return await work(services);
  } finally {
    await close();
  }
}

const collect = (value: string, previous: string[]) => [...previous, value];

function integer(name: string) {
  return (value: string) => {
    if (!/^\d+$/.test(value)) throw new Error(`${name} must be a whole number, not "${value}"`);
    return Number(value);
  };
}

/** Operator commands for accounts, devices, carriers and numbers (until the staff console exists). */
export function registerOperatorCommands(program: Command, config: () => Config): void {
  const account = program.command("account").description("Customer accounts");
  account
    .command("create")
    .description("Create a customer account")
    .requiredOption("--name <name>", "the customer's name")
    .requiredOption("--email <email>", "the customer's email address")
    .option("--phone <number>", "contact phone (E.164 or national form of --country)")
    .option("--country <cc>", "ISO country code used to read national numbers", "US")
    .option("--currency <code>", "ISO currency of the prepaid balance", "USD")
    .option("--json", "machine-readable output")
    .action(
      async (
        o: Json & { name: string; email: string; phone?: string; country: string; currency: string },
      ) => {
        const created = await withServices(config, (s) =>
          s.accounts.create({
            name: o.name,
            email: o.email,
            phone: o.phone,
            country: o.country,
            currency: o.currency,
          }),
        );
        emit(
          Boolean(o.json),
          { id: created.id },
          () => `Created account ${created.id} for ${created.email}.`,
        );
      },
    );

  program
    .command("device")
    .description("SIP devices")
    .command("create <accountId>")
    .description("Add a SIP device; its password is printed once and never again")
    .option("--label <label>", "a name for the device")
    .option("--json", "machine-readable output")
    .action(async (accountId: string, o: Json & { label?: string }) => {
      const device = await withServices(config, (s) => s.devices.provision(accountId, o.label));
      emit(
        Boolean(o.json),
        { id: device.id, username: device.username, password: device.password, domain: device.realm },
        () =>
          `Device ${device.id}\n  username: ${device.username}\n  password: ${device.password}  (shown once)\n  domain:   ${device.realm}`,
      );
    });

  const carrier = program.command("carrier").description("Upstream carriers");
  carrier
    .command("add")
    .description("Add a carrier")
    .requiredOption("--name <name>", "a unique name")
    .requiredOption("--host <host>", "where calls are sent")
    .option("--port <port>", "SIP port", integer("--port"), 5060)
    .option("--transport <t>", "udp, tcp or tls", "udp")
    .option("--priority <n>", "lower wins when costs tie", integer("--priority"), 100)
    .option("--from-ip <ip>", "an address the carrier sends calls from (repeatable)", collect, [])
    .option("--tech-prefix <digits>", "digits put before the number")
    .option("--strip-digits <n>", "leading digits removed from the number", integer("--strip-digits"))
    .option("--auth-user <user>", "digest user name towards the carrier")
    .option("--auth-password <password>", "digest password towards the carrier")
    .option("--channel-limit <n>", "most simultaneous calls", integer("--channel-limit"))
    .option("--json", "machine-readable output")
    .action(
      async (
        o: Json & {
          name: string;
          host: string;
          port: number;
          transport: string;
          priority: number;
          fromIp: string[];
          techPrefix?: string;
          stripDigits?: number;
          authUser?: string;
          authPassword?: string;
          channelLimit?: number;
        },
      ) => {
        const created = await withServices(config, (s) =>
          s.carriers.add({
            name: o.name,
            host: o.host,
            port: o.port,
            transport: o.transport as "udp" | "tcp" | "tls",
            priority: o.priority,
            addresses: o.fromIp,
            techPrefix: o.techPrefix,
            stripDigits: o.stripDigits,
            authUsername: o.authUser,
            authPassword: o.authPassword,
            channelLimit: o.channelLimit,
          }),
        );
        emit(Boolean(o.json), { id: created.id }, () => `Added carrier ${created.name} (${created.id}).`);
      },
    );
  carrier
    .command("routes")
    .description("The carrier's buy-rate deck")
    .command("import <carrierId> <file>")
    .description("Replace the carrier's deck with a CSV file (prefix,cost_per_minute[,connect_cost,...])")
    .option("--json", "machine-readable output")
    .action(async (carrierId: string, file: string, o: Json) => {
      const csv = readFileSync(file, "utf8");
      const { imported } = await withServices(config, (s) => s.carriers.importDeck(carrierId, csv));
      emit(Boolean(o.json), { imported }, () => `Imported ${imported} routes.`);
    });

  program
    .command("did")
    .description("Phone numbers (DIDs)")
    .command("add <e164>")
    .description("Give a number to an account")
    .requiredOption("--account <accountId>", "the owner")
    .option("--json", "machine-readable output")
    .action(async (e164: string, o: Json & { account: string }) => {
      const number = await withServices(config, (s) => s.numbers.assign(e164, o.account));
      emit(
        Boolean(o.json),
        { e164: number.e164, accountId: number.accountId },
        () => `${number.e164} now rings ${number.accountId}.`,
      );
    });
}
