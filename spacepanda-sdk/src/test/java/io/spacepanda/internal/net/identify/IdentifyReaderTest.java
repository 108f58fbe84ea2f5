package io.spacepanda.internal.net.identify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.stream.StreamException;
import io.spacepanda.internal.net.yamux.YamuxConfig;
import io.spacepanda.internal.net.yamux.YamuxMuxerFactory;
import io.spacepanda.internal.net.stream.StreamMuxer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The identify reader on a real Yamux stream (libp2p identify spec, "The Identify Message": one
 * varint-length-prefixed protobuf, then the responder closes): random and mutated bytes end in the
 * decoded message or an {@link IdentifyException} / {@link StreamException}, never anything else.
 */
class IdentifyReaderTest {

  private static void pump(EmbeddedChannel a, EmbeddedChannel b) {
    boolean moved;
    do {
      moved = false;
      Object m;
      while ((m = a.readOutbound()) != null) {
        b.writeInbound(m);
        moved = true;
      }
      while ((m = b.readOutbound()) != null) {
        a.writeInbound(m);
        moved = true;
      }
    } while (moved);
  }

  /** Sends {@code bytes} as the responder (in {@code chunk}-byte writes), closes, returns the outcome. */
  private static Object readFrom(byte[] bytes, int chunk) {
    List<MuxedStream> accepted = new ArrayList<>();
    EmbeddedChannel dc = new EmbeddedChannel();
    EmbeddedChannel lc = new EmbeddedChannel();
    StreamMuxer dialer = new YamuxMuxerFactory(YamuxConfig.defaults()).install(dc, true, s -> {});
    new YamuxMuxerFactory(YamuxConfig.defaults()).install(lc, false, accepted::add);
    try {
      MuxedStream out = dialer.openStream().join();
      IdentifyReader reader = new IdentifyReader();
      out.setHandler(reader.attach(out));
      pump(dc, lc);
      MuxedStream in = accepted.get(0);
      for (int off = 0; off < bytes.length; off += chunk) {
        in.write(Unpooled.wrappedBuffer(bytes, off, Math.min(chunk, bytes.length - off)));
        pump(dc, lc);
      }
      in.closeWrite();
      pump(dc, lc);
      assertTrue(reader.result().isDone());
      try {
        return reader.result().join();
      } catch (CompletionException e) {
        assertTrue(e.getCause() instanceof IdentifyException || e.getCause() instanceof StreamException,
            () -> "untyped failure " + e.getCause());
        return e.getCause();
      }
    } finally {
      dc.finishAndReleaseAll();
      lc.finishAndReleaseAll();
    }
  }

  private static byte[] framed(IdentifyMessage m) {
    byte[] body = m.encode();
    io.netty.buffer.ByteBuf b = Unpooled.buffer();
    io.spacepanda.internal.net.multiaddr.UnsignedVarint.write(body.length, b);
    b.writeBytes(body);
    byte[] out = new byte[b.readableBytes()];
    b.readBytes(out);
    return out;
  }

  private static final IdentifyMessage SAMPLE = new IdentifyMessage(IdentifyConstants.PROTOCOL_VERSION,
      "spacepanda/test", new byte[] {8, 1, 18, 0}, List.of(new byte[] {4, 127, 0, 0, 1}),
      new byte[] {4, 127, 0, 0, 1, 6, 0, 1}, List.of("/ipfs/id/1.0.0"), new byte[0]);

  @Property(tries = 50)
  void wellFormedMessage_anyChunking_isRead(@ForAll @IntRange(min = 1, max = 64) int chunk) {
    assertEquals(SAMPLE, readFrom(framed(SAMPLE), chunk));
  }

  @Property(tries = 200)
  void randomBytes_messageOrTypedFailure(@ForAll @Size(max = 400) byte[] bytes,
      @ForAll @IntRange(min = 1, max = 64) int chunk) {
    readFrom(bytes, chunk);
  }

  @Property(tries = 200)
  void mutatedMessage_messageOrTypedFailure(@ForAll @IntRange(min = 0, max = 1000) int position,
      @ForAll @IntRange(min = 1, max = 255) int xor) {
    byte[] wire = framed(SAMPLE);
    wire[position % wire.length] ^= (byte) xor;
    readFrom(wire, 16);
  }
}
