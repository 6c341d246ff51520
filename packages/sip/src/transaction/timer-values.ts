/**
 * The transaction timers of RFC 3261 §17 (Table 4 of Appendix A) plus RFC 6026's Timers L and M,
 * as one value per stack instance. Nothing here is global: two stacks in one process can run
 * with different T1 values.
 */

/** All values in milliseconds. */
export interface TimerValues {
  /**
   * RTT estimate.
   *
   * @remarks RFC 3261 §17.1.1.2: "The default value for T1 is 500 ms. T1 is an estimate of the
   * RTT between the client and server transactions."
   */
  readonly t1: number;
  /**
   * Maximum retransmit interval for non-INVITE requests and INVITE responses.
   *
   * @remarks RFC 3261 §17.1.2.2: "The default value of T2 is 4s, and it represents the amount of
   * time a non-INVITE server transaction will take to respond to a request, if it does not
   * respond immediately."
   */
  readonly t2: number;
  /**
   * Maximum time a message remains in the network.
   *
   * @remarks RFC 3261 §17.1.2.2: "T4 represents the amount of time the network will take to
   * clear messages between client and server transactions. The default value of T4 is 5s."
   */
  readonly t4: number;
  /** INVITE transaction timeout (64*T1). */
  readonly timerB: number;
  /**
   * Wait time for response retransmissions after a non-2xx final response to an INVITE, over
   * unreliable transports (zero over reliable ones).
   *
   * @remarks RFC 3261 §17.1.1.2: "The client transaction SHOULD start timer D when it enters the
   * "Completed" state, with a value of at least 32 seconds for unreliable transports, and a value
   * of zero seconds for reliable transports."
   */
  readonly timerD: number;
  /** Non-INVITE transaction timeout (64*T1). */
  readonly timerF: number;
  /** Wait time for the ACK of a non-2xx final response (64*T1). */
  readonly timerH: number;
  /** Wait time for ACK retransmissions, unreliable transports (T4; zero over reliable ones). */
  readonly timerI: number;
  /** Wait time for non-INVITE request retransmissions, unreliable transports (64*T1; zero over reliable ones). */
  readonly timerJ: number;
  /** Wait time for non-INVITE response retransmissions, unreliable transports (T4; zero over reliable ones). */
  readonly timerK: number;
  /** RFC 6026: how long an INVITE server transaction stays Accepted (64*T1). */
  readonly timerL: number;
  /** RFC 6026: how long an INVITE client transaction stays Accepted (64*T1). */
  readonly timerM: number;
  /**
   * How long an INVITE server transaction waits for the TU's first response before sending
   * 100 Trying on its own.
   *
   * @remarks RFC 3261 §17.2.1: "The server transaction MUST generate a 100 (Trying) response
   * unless it knows that the TU will generate a provisional or final response within 200 ms, in
   * which case it MAY generate a 100 (Trying) response."
   */
  readonly tryingDelay: number;
}

/**
 * Timer values derived from T1, T2 and T4 (defaults 500 ms, 4 s, 5 s) as RFC 3261 Table 4
 * prescribes; any single value can be overridden.
 */
export function createTimerValues(overrides: Partial<TimerValues> = {}): TimerValues {
  const given: Partial<Record<keyof TimerValues, number>> = {};
  for (const [name, value] of Object.entries(overrides) as [keyof TimerValues, number | undefined][]) {
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`timer ${name} must be a finite, non-negative number of milliseconds`);
    }
    given[name] = value;
  }
  const t1 = given.t1 ?? 500;
  const t2 = given.t2 ?? 4000;
  const t4 = given.t4 ?? 5000;
  if (t1 === 0) throw new RangeError("T1 must be greater than zero");
  return Object.freeze({
    t1,
    t2,
    t4,
    timerB: 64 * t1,
    timerD: Math.max(32_000, 64 * t1),
    timerF: 64 * t1,
    timerH: 64 * t1,
    timerI: t4,
    timerJ: 64 * t1,
    timerK: t4,
    timerL: 64 * t1,
    timerM: 64 * t1,
    tryingDelay: 200,
    ...given,
  });
}
