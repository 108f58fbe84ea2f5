package io.spacepanda.internal.net.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The frames of {@code /spacepanda/envelope-stream/1.0.0} ({@link EnvelopeStreamCodec}) and the
 * bounded decoder that cuts them off a stream ({@link StreamFrameDecoder}): known bytes, round
 * trips at any chunking, and random or mutated input ending only in messages or {@link
 * EnvelopeFrameException}, never holding more than the limit.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EnvelopeStreamCodecTest {

  private static final HexFormat HEX = HexFormat.of();
  private static final int MAX = 4096;
  private static final long MAX_BUFFERED = MAX + 5 + 8192;

  private static byte[] ackFrame(long sequence, int status) {
    ByteBuf b = Unpooled.buffer();
    EnvelopeStreamCodec.writeAck(sequence, status, b);
    byte[] out = ByteBufUtil.getBytes(b);
    b.release();
    return out;
  }

  /** Feeds {@code bytes} in chunks of {@code chunk} and takes every whole message. */
  private static List<byte[]> decodeAll(byte[] bytes, int chunk, int maxMessage, long maxBuffered)
      throws EnvelopeFrameException {
    StreamFrameDecoder d = new StreamFrameDecoder(maxMessage, maxBuffered);
    List<byte[]> out = new ArrayList<>();
    for (int off = 0; off < bytes.length; off += chunk) {
      int n = Math.min(chunk, bytes.length - off);
      d.add(Unpooled.wrappedBuffer(bytes, off, n));
      assertTrue(d.buffered() <= maxBuffered);
      for (byte[] m = d.next(); m != null; m = d.next()) {
        out.add(m);
      }
    }
    return out;
  }

  @Test
  void writeAck_knownValues_matchProtobufBytes() {
    assertEquals("00", HEX.formatHex(ackFrame(0, 0)));
    assertEquals("020805", HEX.formatHex(ackFrame(5, 0)));
    assertEquals("0508ac021001", HEX.formatHex(ackFrame(300, 1)));
    assertEquals("021001", HEX.formatHex(ackFrame(0, 1)));
  }

  @Test
  void writeEnvelope_sameBytesAsTheOneEnvelopeProtocol() {
    byte[] payload = {1, 2, 3};
    ByteBuf b = Unpooled.buffer();
    EnvelopeStreamCodec.writeEnvelope(payload, b);
    assertArrayEquals(EnvelopeCodec.encodeEnvelope(payload), ByteBufUtil.getBytes(b));
    assertEquals(b.readableBytes(), EnvelopeStreamCodec.envelopeFrameSize(payload.length));
  }

  @Test
  void decodeAck_unknownFieldsSkipped_wrongWireTypeRejected() throws Exception {
    assertEquals(new EnvelopeStreamCodec.Ack(7, 1), EnvelopeStreamCodec.decodeAck(HEX.parseHex("0807" + "1a0178" + "1001")));
    assertThrows(EnvelopeFrameException.class, () -> EnvelopeStreamCodec.decodeAck(HEX.parseHex("0a0101")));
    assertThrows(EnvelopeFrameException.class, () -> EnvelopeStreamCodec.decodeAck(HEX.parseHex("1201ff")));
    assertThrows(EnvelopeFrameException.class, () -> EnvelopeStreamCodec.decodeAck(HEX.parseHex("08ffffffffffffffffff01")));
  }

  @Test
  void decoder_prefixTooLongNonMinimalOrTooLarge_failsTyped() {
    assertThrows(EnvelopeFrameException.class, () -> decodeAll(HEX.parseHex("ffffffffff01"), 1, MAX, MAX_BUFFERED));
    assertThrows(EnvelopeFrameException.class, () -> decodeAll(HEX.parseHex("8000"), 1, MAX, MAX_BUFFERED));
    assertThrows(EnvelopeFrameException.class, () -> decodeAll(HEX.parseHex("8140"), 2, MAX, MAX_BUFFERED)); // 8193
  }

  @Test
  void decoder_moreThanTheBufferLimit_failsBeforeHoldingIt() {
    StreamFrameDecoder d = new StreamFrameDecoder(16, 32);
    assertThrows(EnvelopeFrameException.class, () -> d.add(Unpooled.wrappedBuffer(new byte[33])));
    assertEquals(0, d.buffered());
  }

  @Test
  void decoder_incompleteMessage_nullUntilItsLastByte() throws Exception {
    StreamFrameDecoder d = new StreamFrameDecoder(MAX, MAX_BUFFERED);
    d.add(Unpooled.wrappedBuffer(HEX.parseHex("0301")));
    assertEquals(3, d.peekLength());
    assertNull(d.next());
    d.add(Unpooled.wrappedBuffer(HEX.parseHex("0203")));
    assertArrayEquals(new byte[] {1, 2, 3}, d.next());
    assertNull(d.next());
    assertEquals(0, d.buffered());
  }

  @Property(tries = 200)
  void ack_roundTrips(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long sequence,
      @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int status) throws Exception {
    byte[] frame = ackFrame(sequence, status);
    List<byte[]> messages = decodeAll(frame, frame.length, EnvelopeStreamCodec.MAX_ACK_MESSAGE_BYTES, 64);
    assertEquals(1, messages.size());
    assertEquals(new EnvelopeStreamCodec.Ack(sequence, status), EnvelopeStreamCodec.decodeAck(messages.get(0)));
  }

  @Provide
  Arbitrary<List<byte[]>> payloads() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(600).list().ofMaxSize(12);
  }

  @Property(tries = 200)
  void envelopes_roundTripAtAnyChunking(@ForAll("payloads") List<byte[]> payloads,
      @ForAll @IntRange(min = 1, max = 700) int chunk) throws Exception {
    ByteBuf all = Unpooled.buffer();
    for (byte[] p : payloads) {
      EnvelopeStreamCodec.writeEnvelope(p, all);
    }
    List<byte[]> messages = decodeAll(ByteBufUtil.getBytes(all), chunk, MAX, MAX_BUFFERED);
    assertEquals(payloads.size(), messages.size());
    for (int i = 0; i < payloads.size(); i++) {
      assertArrayEquals(payloads.get(i), EnvelopeCodec.decodeEnvelope(messages.get(i)));
    }
  }

  @Property(tries = 300)
  void decoder_randomBytes_messagesOrTypedErrorWithinBounds(
      @ForAll @Size(max = 3000) byte[] junk, @ForAll @IntRange(min = 1, max = 512) int chunk) {
    try {
      for (byte[] m : decodeAll(junk, chunk, 1024, 2048)) {
        assertTrue(m.length <= 1024);
        try {
          EnvelopeCodec.decodeEnvelope(m);
          EnvelopeStreamCodec.decodeAck(m);
        } catch (EnvelopeFrameException expected) {
          // typed
        }
      }
    } catch (EnvelopeFrameException expected) {
      // typed
    }
  }

  @Property(tries = 300)
  void decoder_mutatedValidStream_messagesOrTypedError(@ForAll("payloads") List<byte[]> payloads,
      @ForAll long seed) {
    ByteBuf all = Unpooled.buffer();
    for (byte[] p : payloads) {
      EnvelopeStreamCodec.writeEnvelope(p, all);
      EnvelopeStreamCodec.writeAck(p.length, p.length % 3, all);
    }
    byte[] bytes = ByteBufUtil.getBytes(all);
    Random r = new Random(seed);
    for (int i = 0; i < 1 + r.nextInt(4) && bytes.length > 0; i++) {
      bytes[r.nextInt(bytes.length)] ^= (byte) (1 << r.nextInt(8));
    }
    try {
      for (byte[] m : decodeAll(bytes, 1 + r.nextInt(64), MAX, MAX_BUFFERED)) {
        try {
          EnvelopeCodec.decodeEnvelope(m);
        } catch (EnvelopeFrameException expected) {
          // typed
        }
        try {
          EnvelopeStreamCodec.decodeAck(m);
        } catch (EnvelopeFrameException expected) {
          // typed
        }
      }
    } catch (EnvelopeFrameException expected) {
      // typed
    }
  }
}
