const RTP_SEQ_MOD = 0x10000;
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;

/**
 * Counts the RTP packets one stream should have delivered and the ones it did, from sequence
 * numbers alone, following RFC 3550 Appendix A.1 (extended sequence numbers across the 16-bit
 * wrap, jumps and restarts) and A.3 (expected and lost).
 *
 * Two departures, both towards a truer count for a relay that sees a whole call:
 * - no probation: the first packet of a source counts (A.1 waits for two in sequence before it
 *   trusts a new source; here the relay has already accepted the source by latching);
 * - a late packet from before the first one received extends the expected range backwards
 *   instead of counting as an extra packet.
 *
 * A new SSRC, or a restart A.1 detects (two sequential packets after a jump of more than
 * MAX_DROPOUT), starts a new run; totals add up over the runs.
 *
 * @remarks RFC 3550 §6.4.1 (cumulative number of packets lost): "This number is defined to be
 * the number of packets expected less the number of packets actually received, where the number
 * of packets received includes any which are late or duplicates. Thus, packets that arrive late
 * are not counted as lost, and the loss may be negative if there are duplicates." Reports here
 * clamp a negative loss to zero, as the fraction lost does.
 */
export class SequenceTracker {
  #started = false;
  #ssrc = 0;
  /** Extended sequence number of the earliest packet of the run (may go below zero when a late packet precedes the first). */
  #base = 0;
  #maxSeq = 0;
  #cycles = 0;
  #badSeq = RTP_SEQ_MOD + 1;
  #runReceived = 0;
  #priorExpected = 0;
  #priorReceived = 0;

  /** Accounts one RTP packet. */
  record(ssrc: number, seq: number): void {
    if (!this.#started || ssrc !== this.#ssrc) {
      this.#startRun(ssrc, seq);
      return;
    }
    const udelta = (seq - this.#maxSeq) & 0xffff;
    if (udelta < MAX_DROPOUT) {
      if (seq < this.#maxSeq) this.#cycles += RTP_SEQ_MOD;
      this.#maxSeq = seq;
    } else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
      if (seq !== this.#badSeq) {
        this.#badSeq = (seq + 1) & 0xffff;
        return;
      }
      this.#startRun(ssrc, seq);
      return;
    } else {
      const extended = this.#cycles + this.#maxSeq - ((this.#maxSeq - seq) & 0xffff);
      if (extended < this.#base) this.#base = extended;
    }
    this.#runReceived++;
  }

  /** Packets the sequence numbers say were sent, from the first received to the highest. */
  get expected(): number {
    return this.#priorExpected + this.#runExpected();
  }

  /** Packets received, late ones and duplicates included. */
  get received(): number {
    return this.#priorReceived + this.#runReceived;
  }

  /** Packets expected and never received; never below zero. */
  get lost(): number {
    return Math.max(0, this.expected - this.received);
  }

  #runExpected(): number {
    return this.#started ? this.#cycles + this.#maxSeq - this.#base + 1 : 0;
  }

  #startRun(ssrc: number, seq: number): void {
    this.#priorExpected += this.#runExpected();
    this.#priorReceived += this.#runReceived;
    this.#started = true;
    this.#ssrc = ssrc;
    this.#base = seq;
    this.#maxSeq = seq;
    this.#cycles = 0;
    this.#badSeq = RTP_SEQ_MOD + 1;
    this.#runReceived = 1;
  }
}
