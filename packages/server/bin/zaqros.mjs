#!/usr/bin/env node
// The `zaqros` command. The platform runs from its TypeScript sources through tsx.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
