import { TokenLanding } from "./VerifyEmailPage.tsx";

/** Where the email-change mail's link lands: makes the new address the account's. */
export function ConfirmEmailPage() {
  return (
    <TokenLanding
      path="/auth/email/confirm"
      title="Confirm your new email"
      done="Your new email address is now the one on your account."
    />
  );
}
