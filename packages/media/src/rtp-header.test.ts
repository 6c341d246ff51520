import assert from "node:assert/strict";
import { test } from "node:test";
import { classifyPacket, rtpSequenceNumber, rtpSsrc } from "./rtp-header.ts";
import { rtcpReceiverReport, rtpPacket } from "./testing/test-phone.ts";

test("when a packet is RTP version 2, then it is RTP with its sequence number and SSRC readable", () => {
  const packet = rtpPacket({ seq: 0xbeef, ssrc: 0xfedcba98 });
  assert.equal(classifyPacket(packet), "rtp");
  assert.equal(rtpSequenceNumber(packet), 0xbeef);
  assert.equal(rtpSsrc(packet), 0xfedcba98);
});

test("when an RTP packet has the marker bit and a dynamic payload type, then it is still RTP", () => {
  const packet = rtpPacket({ seq: 1, payloadType: 101 });
  packet[1] = 0x80 | 101;
  assert.equal(classifyPacket(packet), "rtp");
});

test("when the second octet is an RTCP packet type, then it is RTCP (RFC 5761 demultiplexing)", () => {
  assert.equal(classifyPacket(rtcpReceiverReport()), "rtcp");
});

test("when the version is not 2, then the packet is junk", () => {
  const packet = rtpPacket({ seq: 1 });
  packet[0] = 0x40;
  assert.equal(classifyPacket(packet), "junk");
});

test("when a packet is shorter than its CSRC list says, then it is junk", () => {
  const packet = rtpPacket({ seq: 1, payloadBytes: 0 });
  packet[0] = 0x80 | 3;
  assert.equal(classifyPacket(packet), "junk");
  assert.equal(classifyPacket(Buffer.concat([packet, Buffer.alloc(12)])), "rtp");
});

test("when a datagram is empty, a STUN request or text, then it is junk", () => {
  const stun = Buffer.from("000100002112a442000000000000000000000000", "hex");
  for (const datagram of [Buffer.alloc(0), stun, Buffer.from("GET / HTTP/1.1\r\n\r\n")]) {
    assert.equal(classifyPacket(datagram), "junk");
  }
});
