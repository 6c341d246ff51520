import type { FastifyPluginAsync } from "fastify";

/** Where phones connect: what a softphone's account settings ask for besides user name and password. */
export interface SipSettings {
  /** The SIP domain (realm of device credentials; the host part of the phone's address). */
  domain: string;
  /** The address phones send to (the server's public host name or address). */
  host: string;
  /** UDP and TCP port. */
  port: number;
  /** TLS port, when SIP over TLS is on. */
  tlsPort?: number | undefined;
}

/**
 * `GET /api/v1/sip-settings`: the server address, ports and transports a phone is set up with. The
 * same facts every phone learns by connecting, so no sign-in is needed; the portal's Phones page
 * shows them beside each device's credentials.
 */
export const sipSettingsRoutes: FastifyPluginAsync<{ settings: SipSettings }> = async (app, { settings }) => {
  const body = {
    domain: settings.domain,
    host: settings.host,
    transports: [
      { transport: "udp", port: settings.port },
      { transport: "tcp", port: settings.port },
      ...(settings.tlsPort === undefined ? [] : [{ transport: "tls", port: settings.tlsPort }]),
    ],
  };
  app.get(
    "/api/v1/sip-settings",
    {
      schema: {
        tags: ["devices"],
        summary: "The server address and ports phones connect to",
        response: {
          200: {
            type: "object",
            additionalProperties: false,
            required: ["domain", "host", "transports"],
            properties: {
              domain: { type: "string" },
              host: { type: "string" },
              transports: {
                type: "array",
                items: {
                  type: "object",
                  additionalProperties: false,
                  required: ["transport", "port"],
                  properties: {
                    transport: { type: "string", enum: ["udp", "tcp", "tls"] },
                    port: { type: "integer" },
                  },
                },
              },
            },
          },
        },
      },
    },
    async (_request, reply) => reply.header("cache-control", "no-cache").send(body),
  );
};
