import type { Clock } from "../../clock.ts";
import { parseMessage } from "../../message/parse-message.ts";
import { serializeMessage } from "../../message/serialize-message.ts";
import type { SipMessage, SipRequest, SipResponse } from "../../message/types.ts";
import type { SerializedResponse, TransactionTransport } from "../transaction-transport.ts";

/** One message a transaction handed to the transport, with the clock reading at that moment. */
export interface SentMessage {
  readonly at: number;
  readonly message: SipMessage;
}

/**
 * A transaction transport for tests: records what is sent and when, and can be told to fail
 * synchronously (`throwOnSend`) or asynchronously (`rejectOnSend`). Final responses go through
 * `serializeResponse`, as with the transport layer's flows.
 */
export class RecordingTransport implements TransactionTransport {
  readonly reliable: boolean;
  readonly sent: SentMessage[] = [];
  throwOnSend: Error | undefined = undefined;
  rejectOnSend: Error | undefined = undefined;
  readonly #clock: Clock;

  constructor(clock: Clock, reliable: boolean) {
    this.#clock = clock;
    this.reliable = reliable;
  }

  send(message: SipMessage): void | Promise<void> {
    this.sent.push({ at: this.#clock.now(), message });
    if (this.throwOnSend !== undefined) throw this.throwOnSend;
    if (this.rejectOnSend !== undefined) return Promise.reject(this.rejectOnSend);
  }

  /** Serializes as the transport layer does; each send of the bytes is recorded as the message they parse to. */
  serializeResponse(response: SipResponse): SerializedResponse {
    const bytes = serializeMessage(response);
    return { bytes, send: () => this.send(parseMessage(bytes)) };
  }

  /** Clock readings of every sent request with that method. */
  requestTimes(method: string): number[] {
    return this.sent
      .filter(({ message }) => message.kind === "request" && message.method === method)
      .map((s) => s.at);
  }

  /** Clock readings of every sent response with that status. */
  responseTimes(status: number): number[] {
    return this.sent
      .filter(({ message }) => message.kind === "response" && message.status === status)
      .map((s) => s.at);
  }

  requests(method: string): SipRequest[] {
    const out: SipRequest[] = [];
    for (const { message } of this.sent)
      if (message.kind === "request" && message.method === method) out.push(message);
    return out;
  }

  responses(): SipResponse[] {
    const out: SipResponse[] = [];
    for (const { message } of this.sent) if (message.kind === "response") out.push(message);
    return out;
  }
}
