package io.spacepanda.internal.net.yamux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.stream.StreamException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class YamuxHeaderTest {

  @Test
  void encode_windowUpdateWithSyn_matchesSpecLayout() {
    ByteBuf out = Unpooled.buffer();
    new YamuxHeader(YamuxConstants.TYPE_WINDOW_UPDATE, YamuxConstants.FLAG_SYN, 1, 0x40000)
        .encode(out);
    assertEquals("000100010000000100040000", ByteBufUtil.hexDump(out));
  }

  @Test
  void decode_pingOnStream3_isRejected() {
    ByteBuf in = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("000200010000000300000001"));
    assertThrows(YamuxProtocolException.class, () -> YamuxHeader.decode(in, 1 << 20));
  }

  @Test
  void decode_version1_isRejected() {
    ByteBuf in = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("010000000000000100000000"));
    assertThrows(YamuxProtocolException.class, () -> YamuxHeader.decode(in, 1 << 20));
  }

  @Test
  void decode_dataLongerThanLimit_isRejected() {
    ByteBuf in = Unpooled.wrappedBuffer(ByteBufUtil.decodeHexDump("000000000000000100000101"));
    assertThrows(YamuxProtocolException.class, () -> YamuxHeader.decode(in, 256));
  }

  @Property(tries = 500)
  void header_roundTrips(@ForAll("headers") YamuxHeader header) throws Exception {
    ByteBuf buf = Unpooled.buffer();
    header.encode(buf);
    assertEquals(YamuxConstants.HEADER_LENGTH, buf.readableBytes());
    assertEquals(header, YamuxHeader.decode(buf, 0xFFFF_FFFFL));
    assertFalse(buf.isReadable());
  }

  @Provide
  Arbitrary<YamuxHeader> headers() {
    Arbitrary<Integer> flags = Arbitraries.integers().between(0, YamuxConstants.KNOWN_FLAGS);
    Arbitrary<Long> u32 = Arbitraries.longs().between(0, 0xFFFF_FFFFL);
    Arbitrary<YamuxHeader> stream = Combinators.combine(
        Arbitraries.of(YamuxConstants.TYPE_DATA, YamuxConstants.TYPE_WINDOW_UPDATE), flags,
        Arbitraries.longs().between(1, 0xFFFF_FFFFL), u32).as(YamuxHeader::new);
    Arbitrary<YamuxHeader> session = Combinators.combine(
        Arbitraries.of(YamuxConstants.TYPE_PING, YamuxConstants.TYPE_GO_AWAY), flags, u32)
        .as((type, f, length) -> new YamuxHeader(type, f, 0, length));
    return Arbitraries.oneOf(stream, session);
  }

  @Property(tries = 300)
  void randomBytes_endInTypedErrorOrAreAccepted(@ForAll @Size(max = 200) byte[] noise) {
    assertOnlyTypedFailure(List.of(noise));
  }

  @Property(tries = 300)
  void mutatedConversation_endsInTypedErrorOrIsAccepted(
      @ForAll @IntRange(min = 0, max = 4000) int position,
      @ForAll @IntRange(min = 1, max = 255) int xor,
      @ForAll @IntRange(min = 1, max = 64) int chunk) {
    byte[] wire = validConversation();
    wire[position % wire.length] ^= (byte) xor;
    List<byte[]> pieces = new ArrayList<>();
    for (int i = 0; i < wire.length; i += chunk) {
      byte[] piece = new byte[Math.min(chunk, wire.length - i)];
      System.arraycopy(wire, i, piece, 0, piece.length);
      pieces.add(piece);
    }
    assertOnlyTypedFailure(pieces);
  }

  /** Bytes a dialer sends: open two streams, write to both, ping, half-close one, reset one. */
  private static byte[] validConversation() {
    YamuxSession dialer = new YamuxSession(true, s -> {}, YamuxConfig.defaults());
    EmbeddedChannel channel = new EmbeddedChannel(dialer);
    MuxedStream a = dialer.openStream().join();
    MuxedStream b = dialer.openStream().join();
    a.write(Unpooled.wrappedBuffer(new byte[300]));
    b.write(Unpooled.wrappedBuffer("hello".getBytes()));
    dialer.ping();
    a.closeWrite();
    b.reset();
    ByteBuf all = Unpooled.buffer();
    Object m;
    while ((m = channel.readOutbound()) != null) {
      all.writeBytes((ByteBuf) m);
      ((ByteBuf) m).release();
    }
    channel.finishAndReleaseAll();
    return ByteBufUtil.getBytes(all);
  }

  private static void assertOnlyTypedFailure(List<byte[]> pieces) {
    YamuxSession listener = new YamuxSession(false, s -> s.setHandler(new RecordingHandler(true)),
        YamuxConfig.defaults().withMaxReceiveWindow(1 << 20));
    EmbeddedChannel channel = new EmbeddedChannel(listener);
    for (byte[] piece : pieces) {
      if (channel.isOpen()) {
        channel.writeInbound(Unpooled.wrappedBuffer(piece));
      }
    }
    if (listener.closeFuture().isCompletedExceptionally()) {
      Throwable cause = listener.closeFuture().handle((v, e) -> e).join();
      assertTrue(cause instanceof StreamException, () -> "untyped failure " + cause);
      assertFalse(channel.isOpen());
    }
    channel.finishAndReleaseAll();
  }

  @Test
  void validConversation_isAcceptedWhole() {
    byte[] wire = validConversation();
    YamuxSession listener = new YamuxSession(false, s -> s.setHandler(new RecordingHandler(true)),
        YamuxConfig.defaults());
    EmbeddedChannel channel = new EmbeddedChannel(listener);
    channel.writeInbound(Unpooled.wrappedBuffer(wire));
    assertTrue(channel.isOpen());
    assertFalse(listener.closeFuture().isDone());
    channel.finishAndReleaseAll();
  }
}
