/** What the relay process and the phones process say to each other over the IPC channel. */

/** One simulated call as the phones see it: the relay ports each of its two phones sends to. */
export interface CallTarget {
  readonly callerLegPort: number;
  readonly calleeLegPort: number;
}

export type ToPhones =
  | { readonly type: "calls"; readonly calls: readonly CallTarget[] }
  | {
      readonly type: "run";
      /** Tags this step's packets (first payload byte), so late packets of an earlier step are not counted. */
      readonly step: number;
      readonly packetsPerSecond: number;
      readonly durationMs: number;
    }
  | { readonly type: "stop" };

export type FromPhones =
  | {
      readonly type: "ready";
      readonly callerPorts: readonly number[];
      readonly calleePorts: readonly number[];
    }
  | { readonly type: "calls-set" }
  | {
      readonly type: "result";
      /** Datagrams handed to the kernel by the phones. */
      readonly sent: number;
      /** Datagrams the phones received back through the relay. */
      readonly received: number;
      /** Seconds the sending lasted. */
      readonly seconds: number;
      /** Milliseconds waited after sending until no more packets came back. */
      readonly drainMs: number;
      /** CPU the phones process used, as a share of one core. */
      readonly cpuShare: number;
    };
