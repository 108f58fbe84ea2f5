package io.spacepanda.internal.net.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EnvelopeCodecTest {

  private static final HexFormat HEX = HexFormat.of();
  private static final int MAX = 4096;

  /** Reads one frame from {@code frame}, delivered in chunks of {@code chunk} bytes. */
  private static byte[] readFrame(byte[] frame, int chunk, int maxMessage)
      throws EnvelopeFrameException {
    FrameReader reader = new FrameReader(maxMessage);
    byte[] message = null;
    for (int off = 0; off < frame.length; off += chunk) {
      int n = Math.min(chunk, frame.length - off);
      message = reader.offer(Unpooled.wrappedBuffer(frame, off, n));
    }
    return message;
  }

  @Test
  void encodeEnvelope_knownPayload_matchesProtobufBytes() {
    // prefix 5, field 1 length-delimited (0x0a), length 3, payload
    assertEquals("050a03010203", HEX.formatHex(EnvelopeCodec.encodeEnvelope(new byte[] {1, 2, 3})));
  }

  @Test
  void encodeAck_okAndRefused_matchProtobufBytes() {
    assertEquals("00", HEX.formatHex(EnvelopeCodec.encodeAck(0)));
    assertEquals("020801", HEX.formatHex(EnvelopeCodec.encodeAck(1)));
  }

  @Test
  void decodeEnvelope_unknownFieldsAndRepeatedPayload_lastPayloadWins() throws Exception {
    byte[] message = HEX.parseHex("0a0101" + "1005" + "1a0178" + "0a020203");
    assertArrayEquals(new byte[] {2, 3}, EnvelopeCodec.decodeEnvelope(message));
  }

  @Test
  void decodeEnvelope_emptyMessage_isEmptyPayload() throws Exception {
    assertEquals(0, EnvelopeCodec.decodeEnvelope(new byte[0]).length);
  }

  @Test
  void decodeEnvelope_payloadAsVarint_failsTyped() {
    assertThrows(EnvelopeFrameException.class, () -> EnvelopeCodec.decodeEnvelope(HEX.parseHex("0801")));
  }

  @Test
  void decodeEnvelope_truncatedPayload_failsTyped() {
    assertThrows(EnvelopeFrameException.class, () -> EnvelopeCodec.decodeEnvelope(HEX.parseHex("0a0501")));
  }

  @Test
  void decodeAck_statusAsBytes_failsTyped() {
    assertThrows(EnvelopeFrameException.class, () -> EnvelopeCodec.decodeAck(HEX.parseHex("0a0101")));
  }

  @Test
  void frameReader_nonMinimalPrefix_failsTyped() {
    assertThrows(EnvelopeFrameException.class, () -> readFrame(HEX.parseHex("8000"), 1, MAX));
  }

  @Test
  void frameReader_prefixAboveLimit_failsBeforeTheBody() {
    // 4097 = 0x81 0x20
    assertThrows(EnvelopeFrameException.class, () -> readFrame(HEX.parseHex("8120"), 2, MAX));
  }

  @Test
  void frameReader_prefixLongerThanFiveBytes_failsTyped() {
    assertThrows(EnvelopeFrameException.class,
        () -> readFrame(HEX.parseHex("8080808080"), 5, Integer.MAX_VALUE));
  }

  @Test
  void frameReader_bytesAfterTheMessage_failTyped() {
    assertThrows(EnvelopeFrameException.class, () -> readFrame(HEX.parseHex("01aa00"), 3, MAX));
  }

  @Test
  void frameReader_partialFrame_isNotComplete() throws Exception {
    FrameReader reader = new FrameReader(MAX);
    assertNull(reader.offer(Unpooled.wrappedBuffer(HEX.parseHex("03aabb"))));
    assertTrue(!reader.isComplete());
  }

  @Property(tries = 300)
  void envelope_roundTrip_anyChunking(
      @ForAll @Size(max = MAX - 16) byte[] payload, @ForAll @IntRange(min = 1, max = 5000) int chunk)
      throws Exception {
    byte[] frame = EnvelopeCodec.encodeEnvelope(payload);

    byte[] message = readFrame(frame, chunk, EnvelopeCodec.maxEnvelopeMessageBytes(MAX));

    assertArrayEquals(payload, EnvelopeCodec.decodeEnvelope(message));
  }

  @Property(tries = 300)
  void ack_roundTrip(@ForAll @IntRange(min = 0) int status) throws Exception {
    byte[] frame = EnvelopeCodec.encodeAck(status);

    byte[] message = readFrame(frame, 1, EnvelopeProtocolConstants.MAX_ACK_MESSAGE_BYTES);

    assertEquals(status, EnvelopeCodec.decodeAck(message));
  }

  @Property(tries = 1000)
  void randomBytes_frameReaderAndDecoders_returnOrFailTyped(@ForAll @Size(max = 300) byte[] junk) {
    expectOnlyTypedFailures(junk);
  }

  @Property(tries = 1000)
  void mutatedFrames_frameReaderAndDecoders_returnOrFailTyped(@ForAll("mutatedFrames") byte[] frame) {
    expectOnlyTypedFailures(frame);
  }

  private static void expectOnlyTypedFailures(byte[] bytes) {
    try {
      byte[] message = readFrame(bytes, 7, 256);
      if (message != null) {
        assertTrue(message.length <= 256);
        EnvelopeCodec.decodeEnvelope(message);
      }
    } catch (EnvelopeFrameException expected) {
      // a typed refusal is an allowed outcome
    }
    try {
      EnvelopeCodec.decodeEnvelope(bytes);
    } catch (EnvelopeFrameException expected) {
      // a typed refusal is an allowed outcome
    }
    try {
      EnvelopeCodec.decodeAck(bytes);
    } catch (EnvelopeFrameException expected) {
      // a typed refusal is an allowed outcome
    }
  }

  @Provide
  Arbitrary<byte[]> mutatedFrames() {
    Arbitrary<byte[]> frames = Arbitraries.bytes().array(byte[].class).ofMaxSize(200)
        .map(EnvelopeCodec::encodeEnvelope);
    return frames.flatMap(f -> Arbitraries.integers().between(0, f.length - 1).list().ofMaxSize(4)
        .flatMap(positions -> Arbitraries.bytes().array(byte[].class).ofSize(positions.size())
            .map(values -> {
              byte[] m = Arrays.copyOf(f, f.length);
              for (int i = 0; i < positions.size(); i++) {
                m[positions.get(i)] = values[i];
              }
              return m;
            })));
  }

  /**
   * Claimed sizes up to 2^35 (the longest prefix, multiformats unsigned-varint) are refused before
   * any allocation when above the limit; below it, the reader never holds more than the bytes
   * that arrived (or its small initial buffer), whatever the prefix claims.
   */
  @Property(tries = 1000)
  void frameReader_claimedSizeUpTo2Pow35_allocatesOnlyWhatArrived(
      @ForAll @net.jqwik.api.constraints.LongRange(min = 0, max = (1L << 35) - 1) long claimed,
      @ForAll @Size(max = 64) byte[] body, @ForAll @IntRange(min = 0, max = 1 << 20) int limit) {
    io.netty.buffer.ByteBuf frame = Unpooled.buffer();
    long v = claimed;
    while ((v & ~0x7FL) != 0) {
      frame.writeByte((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    frame.writeByte((int) v);
    frame.writeBytes(body);
    FrameReader reader = new FrameReader(limit);
    try {
      reader.offer(frame);
      assertTrue(claimed <= limit, "accepted a claim of " + claimed + " over " + limit);
      assertTrue(reader.bufferCapacity() <= Math.max(256, body.length),
          "allocated " + reader.bufferCapacity() + " for " + body.length + " bytes");
    } catch (EnvelopeFrameException expected) {
      // refused: over the limit, a too long prefix, or bytes after the message
      assertTrue(reader.bufferCapacity() <= Math.max(256, body.length));
    }
  }
}
