import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import type { AccountsService } from "../../../domains/accounts/accounts.service.ts";
import { DomainError } from "../../../domains/domain-error.ts";
import type { IdentityService } from "../../../domains/identity/identity.service.ts";
import { PLACE_ATTRIBUTION } from "../../../domains/identity/ip-location.ts";
import { isSameOrigin } from "../csrf.ts";
import { sendProblem } from "../problem.ts";
import { requireSession, SESSION_COOKIE, SESSION_COOKIE_OPTIONS } from "../session.ts";
import { authSchemas as S } from "./auth-schemas.ts";

export interface AuthRoutesOptions {
  identity: IdentityService;
  accounts: AccountsService;
}

const clientOf = (request: FastifyRequest) => ({
  ipAddress: request.ip ?? null,
  userAgent: request.headers["user-agent"] ?? null,
});

function sessionOf(request: FastifyRequest) {
  const session = request.portalSession;
  if (!session) throw new Error("route registered outside the session scope");
  return session;
}

/**
 * `/api/v1/auth`: sign-up, email verification, sign-in and out, sessions, password reset and
 * change, email change, re-authentication, two-factor, the account and its security activity. Register with
 * `{ prefix: "/api/v1/auth" }`.
 *
 * Routes used before signing in check only that a browser request comes from this site (there is
 * no session to tie a token to yet); everything else passes {@link requireSession}.
 */
export const authRoutes: FastifyPluginAsync<AuthRoutesOptions> = async (app, { identity, accounts }) => {
  app.decorateRequest("portalSession", undefined);

  app.register(async (open) => {
    open.addHook("preHandler", async (request, reply) => {
      if (request.method !== "GET" && !isSameOrigin(request)) {
        return sendProblem(reply, {
          type: "about:blank",
          title: "Cross-site request refused",
          status: 403,
          code: "HTTP.CSRF",
          instance: request.url,
        });
      }
    });

    open.get("/legal-versions", { schema: S.legalVersions }, async () => identity.legalVersions);

    open.post("/signup", { schema: S.signup }, async (request, reply) => {
      await identity.signUp(request.body as Parameters<IdentityService["signUp"]>[0]);
      return reply.status(202).send({ status: "verification-sent" });
    });

    open.post("/verify-email", { schema: S.token }, async (request, reply) => {
      await identity.verifyEmail((request.body as { token: string }).token);
      return reply.status(204).send();
    });

    open.post("/login", { schema: S.login }, async (request, reply) => {
      const body = request.body as { email: string; password: string; totp?: string };
      const previous = request.cookies[SESSION_COOKIE];
      const opened = await identity.login({ ...body, ...clientOf(request) }).catch((error) => {
        throw withRetryAfter(error, reply);
      });
      // A session id that existed before sign-in is never carried over (session fixation).
      if (previous) await identity.logout(previous);
      reply.setCookie(SESSION_COOKIE, opened.token, SESSION_COOKIE_OPTIONS);
      return {
        accountId: opened.session.accountId,
        csrfToken: opened.csrfToken,
        session: { id: opened.session.id, expiresAt: opened.session.expiresAt },
      };
    });

    open.post("/email/confirm", { schema: S.token }, async (request, reply) => {
      await identity.confirmEmailChange((request.body as { token: string }).token);
      return reply.status(204).send();
    });

    open.post("/password-reset/request", { schema: S.resetRequest }, async (request, reply) => {
      await identity.requestPasswordReset((request.body as { email: string }).email);
      return reply.status(202).send({ status: "if-the-account-exists-a-link-was-sent" });
    });

    open.post("/password-reset/confirm", { schema: S.resetConfirm }, async (request, reply) => {
      const body = request.body as { token: string; password: string };
      await identity.confirmPasswordReset(body.token, body.password, clientOf(request));
      return reply.status(204).send();
    });
  });

  app.register(async (signedIn) => {
    signedIn.addHook("preHandler", requireSession(identity));

    signedIn.get("/me", { schema: S.me }, async (request) => {
      const session = sessionOf(request);
      const account = await accounts.get(session.accountId);
      return {
        id: account.id,
        name: account.name,
        email: account.email,
        phone: account.phone,
        emailVerifiedAt: await identity.emailVerifiedAt(account.id),
        twoFactorEnabled: await identity.twoFactorEnabled(account.id),
        csrfToken: session.csrfToken,
      };
    });

    signedIn.post("/logout", { schema: S.empty }, async (request, reply) => {
      await identity.logout(sessionOf(request).token);
      reply.clearCookie(SESSION_COOKIE, SESSION_COOKIE_OPTIONS);
      return reply.status(204).send();
    });

    signedIn.get("/sessions", { schema: S.sessions }, async (request) => {
      const current = sessionOf(request);
      const sessions = await identity.listSessions(current.accountId);
      return {
        sessions: sessions.map((s) => ({
          id: s.id,
          createdAt: s.createdAt,
          lastSeenAt: s.lastSeenAt,
          expiresAt: s.expiresAt,
          ipAddress: s.ipAddress,
          userAgent: s.userAgent,
          current: s.id === current.id,
        })),
      };
    });

    signedIn.delete("/sessions/:id", { schema: S.sessionId }, async (request, reply) => {
      const session = sessionOf(request);
      await identity.endSession(session.accountId, (request.params as { id: string }).id);
      return reply.status(204).send();
    });

    signedIn.post("/reauthenticate", { schema: S.reauthenticate }, async (request, reply) => {
      await identity.reauthenticate(
        sessionOf(request).token,
        (request.body as { password: string }).password,
      );
      return reply.status(204).send();
    });

    signedIn.post("/password", { schema: S.changePassword }, async (request, reply) => {
      await identity.changePassword(sessionOf(request), (request.body as { password: string }).password);
      return reply.status(204).send();
    });

    signedIn.post("/email", { schema: S.changeEmail }, async (request, reply) => {
      await identity.requestEmailChange(sessionOf(request), (request.body as { email: string }).email);
      return reply.status(202).send({ status: "confirmation-sent-to-new-address" });
    });

    signedIn.post("/2fa/setup", { schema: S.twoFactorSetup }, async (request) =>
      identity.setUpTwoFactor(sessionOf(request)),
    );

    signedIn.post("/2fa/enable", { schema: S.twoFactorEnable }, async (request) => ({
      recoveryCodes: await identity.enableTwoFactor(
        sessionOf(request),
        (request.body as { code: string }).code,
      ),
    }));

    signedIn.post("/2fa/disable", { schema: S.empty }, async (request, reply) => {
      await identity.disableTwoFactor(sessionOf(request));
      return reply.status(204).send();
    });

    signedIn.get("/security/activity", { schema: S.activity }, async (request) => ({
      activity: await identity.listActivity(sessionOf(request).accountId),
      placesBy: PLACE_ATTRIBUTION,
    }));
  });
};

/** Tells a throttled client when to come back: RFC 9110 §10.2.3 `Retry-After`. */
function withRetryAfter(error: unknown, reply: FastifyReply): unknown {
  if (error instanceof DomainError && error.code === "IDENTITY.TOO_MANY_ATTEMPTS") {
    const seconds = Number(error.details?.retryAfterSeconds ?? 1);
    reply.header("retry-after", String(Math.max(1, seconds)));
  }
  return error;
}
