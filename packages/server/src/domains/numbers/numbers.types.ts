/** A phone number (DID) an account owns, in E.164. */
export interface OwnedNumber {
  e164: string;
  accountId: string;
  createdAt: string;
}
