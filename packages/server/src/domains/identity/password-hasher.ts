import { type Algorithm, hash, verify } from "@node-rs/argon2";

/** argon2id with OWASP's minimum (m = 19 MiB, t = 2, p = 1); the parameters live in the encoded hash. */
const OPTIONS = { algorithm: 2 as Algorithm, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/** A hash made once so an unknown email costs the same time as a wrong password. */
let decoy: Promise<string> | undefined;

export const passwordHasher = {
  hash: (password: string) => hash(password, OPTIONS),
  async verify(encoded: string | null, password: string): Promise<boolean> {
    if (!encoded) {
      decoy ??= hash("zaqros-decoy-password", OPTIONS);
      await verify(await decoy, password);
      return false;
    }
    return verify(encoded, password);
  },
};
