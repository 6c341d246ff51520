import { readFileSync } from "node:fs";
import { DomainError } from "../domain-error.ts";

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

let common: ReadonlySet<string> | undefined;

function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(
    readFileSync(new URL("./common-passwords.txt", import.meta.url), "utf8")
      .split("\n")
      .map((line) => line.trim().toLowerCase())
      .filter((line) => line.length > 0),
  );
  return common;
}

/**
 * Length limits and a list of common passwords, and no composition rules: NIST SP 800-63B §3.1.1.2
 * and ASVS 5 V6.2 ask for exactly this. Length counts Unicode code points.
 */
export function checkNewPassword(password: string): void {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH || length > PASSWORD_MAX_LENGTH) {
    throw new DomainError(
      "IDENTITY.INVALID_PASSWORD",
      `The password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters.`,
    );
  }
  if (commonPasswords().has(password.toLowerCase())) {
    throw new DomainError(
      "IDENTITY.COMMON_PASSWORD",
      "That password is one of the most commonly used; choose another.",
    );
  }
}
