/**
 * A failure a use case reports to its caller. It carries a dotted code from the error catalogue
 * (`ACCOUNT.EMAIL_TAKEN`) and never an HTTP or SIP status: each edge maps codes in one table.
 */
export class DomainError<Code extends string = string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

/** A documented list of the codes one domain raises. */
export type ErrorCatalogue<Code extends string> = Readonly<Record<Code, string>>;
