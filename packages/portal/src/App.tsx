import { Route, Routes } from "react-router";
import { Layout } from "./Layout.tsx";
import { ApiKeysPage } from "./pages/ApiKeysPage.tsx";
import { CallsPage } from "./pages/CallsPage.tsx";
import { ConfirmEmailPage } from "./pages/ConfirmEmailPage.tsx";
import { DashboardPage } from "./pages/DashboardPage.tsx";
import { LegalPage } from "./pages/LegalPage.tsx";
import { LoginPage } from "./pages/LoginPage.tsx";
import { NotFoundPage } from "./pages/NotFoundPage.tsx";
import { NumbersPage } from "./pages/NumbersPage.tsx";
import { PhonesPage } from "./pages/PhonesPage.tsx";
import { PrivacyPage } from "./pages/PrivacyPage.tsx";
import { ProfilePage } from "./pages/ProfilePage.tsx";
import { RatesPage } from "./pages/RatesPage.tsx";
import { ResetPasswordPage } from "./pages/ResetPasswordPage.tsx";
import { SecurityPage } from "./pages/SecurityPage.tsx";
import { SignUpPage } from "./pages/SignUpPage.tsx";
import { TopUpPage } from "./pages/TopUpPage.tsx";
import { VerifyEmailPage } from "./pages/VerifyEmailPage.tsx";
import { RequireSignIn } from "./RequireSignIn.tsx";

/**
 * Every page of the portal. Links in mail land on /verify-email, /confirm-email and
 * /reset-password (domains/notify). Pages that need a signed-in customer sit under RequireSignIn.
 */
export function App() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route path="login" element={<LoginPage />} />
        <Route path="signup" element={<SignUpPage />} />
        <Route path="verify-email" element={<VerifyEmailPage />} />
        <Route path="confirm-email" element={<ConfirmEmailPage />} />
        <Route path="reset-password" element={<ResetPasswordPage />} />
        <Route path="legal" element={<LegalPage />} />
        <Route element={<RequireSignIn />}>
          <Route index element={<DashboardPage />} />
          <Route path="calls" element={<CallsPage />} />
          <Route path="phones" element={<PhonesPage />} />
          <Route path="numbers" element={<NumbersPage />} />
          <Route path="rates" element={<RatesPage />} />
          <Route path="top-up" element={<TopUpPage />} />
          <Route path="profile" element={<ProfilePage />} />
          <Route path="security" element={<SecurityPage />} />
          <Route path="api-keys" element={<ApiKeysPage />} />
          <Route path="privacy" element={<PrivacyPage />} />
        </Route>
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}
