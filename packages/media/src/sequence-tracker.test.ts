import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { SequenceTracker } from "./sequence-tracker.ts";

function track(seqs: readonly number[], ssrc = 7): SequenceTracker {
  const tracker = new SequenceTracker();
  for (const seq of seqs) tracker.record(ssrc, seq & 0xffff);
  return tracker;
}

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

describe("SequenceTracker", () => {
  test("when every packet arrives in order, then nothing is lost", () => {
    const tracker = track(range(100, 50));
    assert.deepEqual([tracker.expected, tracker.received, tracker.lost], [50, 50, 0]);
  });

  test("when packets are missing from the middle, then each gap counts as lost", () => {
    const tracker = track([1, 2, 4, 5, 9, 10]);
    assert.equal(tracker.expected, 10);
    assert.equal(tracker.lost, 4);
  });

  test("when packets arrive out of order, then late ones are not counted as lost", () => {
    const tracker = track([1, 3, 2, 5, 4, 6]);
    assert.equal(tracker.lost, 0);
    assert.equal(tracker.expected, 6);
  });

  test("when the sequence number wraps past 65535, then the count carries on across the wrap", () => {
    const tracker = track(range(65530, 12));
    assert.deepEqual([tracker.expected, tracker.lost], [12, 0]);
  });

  test("when packets around the wrap are lost and reordered, then only the missing ones count", () => {
    const tracker = track([65533, 65535, 0, 65534, 2, 3]);
    assert.equal(tracker.expected, 7);
    assert.equal(tracker.lost, 1);
  });

  test("when a late packet precedes the first one received, then it widens the expected range", () => {
    const tracker = track([11, 10, 13]);
    assert.deepEqual([tracker.expected, tracker.received, tracker.lost], [4, 3, 1]);
  });

  test("when packets are duplicated, then loss does not go below zero", () => {
    const tracker = track([1, 2, 2, 2, 3]);
    assert.equal(tracker.lost, 0);
    assert.equal(tracker.received, 5);
  });

  test("when the sender restarts with a far-away sequence, then the jump is not counted as loss", () => {
    const tracker = track([...range(100, 10), ...range(40000, 10)]);
    assert.equal(tracker.lost, 0);
    assert.equal(tracker.expected, 19, "the first packet after the jump only confirms the restart");
  });

  test("when a single stray packet jumps far away, then the stream's count is unaffected", () => {
    const tracker = track([...range(100, 5), 30000, ...range(105, 5)]);
    assert.deepEqual([tracker.expected, tracker.lost], [10, 0]);
  });

  test("when the SSRC changes, then totals add up over both sources", () => {
    const tracker = new SequenceTracker();
    for (const seq of [1, 2, 4]) tracker.record(1, seq);
    for (const seq of [500, 501, 503]) tracker.record(2, seq);
    assert.deepEqual([tracker.expected, tracker.received, tracker.lost], [8, 6, 2]);
  });

  test("when any packets between the first and last received are dropped and neighbours swapped, then exactly the dropped ones count as lost", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffff }),
        fc.array(fc.record({ drop: fc.boolean(), swap: fc.boolean() }), { minLength: 3, maxLength: 1500 }),
        (start, plan) => {
          const sent = plan.map((_, i) => start + i);
          const kept = sent.filter((_, i) => !plan[i]!.drop || i === 0 || i === plan.length - 1);
          const arrival = [...kept];
          for (let i = 1; i + 2 < arrival.length; i += 2) {
            if (plan[i]!.swap) [arrival[i], arrival[i + 1]] = [arrival[i + 1]!, arrival[i]!];
          }
          const tracker = track(arrival);
          assert.equal(tracker.lost, sent.length - kept.length);
          assert.equal(tracker.expected, sent.length);
        },
      ),
    );
  });
});
