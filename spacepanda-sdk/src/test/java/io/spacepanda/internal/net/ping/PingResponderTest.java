package io.spacepanda.internal.net.ping;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.stream.StreamException;
import io.spacepanda.internal.net.stream.StreamHandler;
import io.spacepanda.internal.net.stream.StreamMuxer;
import io.spacepanda.internal.net.yamux.YamuxConfig;
import io.spacepanda.internal.net.yamux.YamuxMuxerFactory;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The ping responder fed arbitrary bytes in arbitrary chunks over a real Yamux stream (libp2p ping
 * spec: the responder echoes every 32-byte payload and closes after the initiator did): the echo
 * is exactly the complete 32-byte payloads, a trailing partial one is dropped, and the responder
 * never holds more than 31 bytes or fails.
 */
class PingResponderTest {

  private static final class Collector implements StreamHandler {
    final ByteArrayOutputStream echoed = new ByteArrayOutputStream();
    boolean closed;

    @Override
    public void onData(MuxedStream stream, ByteBuf data) {
      int n = data.readableBytes();
      byte[] b = new byte[n];
      data.readBytes(b);
      data.release();
      echoed.writeBytes(b);
      stream.consumed(n);
    }

    @Override
    public void onRemoteClose(MuxedStream stream) {
      closed = true;
    }

    @Override
    public void onReset(MuxedStream stream, StreamException cause) {}
  }

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

  @Property(tries = 200)
  void anyBytesAnyChunking_echoesExactlyTheCompletePayloads(@ForAll @Size(max = 2000) byte[] bytes,
      @ForAll @IntRange(min = 1, max = 100) int chunk) {
    EmbeddedChannel dc = new EmbeddedChannel();
    EmbeddedChannel lc = new EmbeddedChannel();
    StreamMuxer dialer = new YamuxMuxerFactory(YamuxConfig.defaults()).install(dc, true, s -> {});
    new YamuxMuxerFactory(YamuxConfig.defaults()).install(lc, false, s -> s.setHandler(new PingResponder()));
    try {
      MuxedStream out = dialer.openStream().join();
      Collector c = new Collector();
      out.setHandler(c);
      for (int off = 0; off < bytes.length; off += chunk) {
        out.write(Unpooled.wrappedBuffer(bytes, off, Math.min(chunk, bytes.length - off)));
        pump(dc, lc);
      }
      out.closeWrite();
      pump(dc, lc);
      int whole = bytes.length / PingConstants.PAYLOAD_LENGTH * PingConstants.PAYLOAD_LENGTH;
      assertArrayEquals(Arrays.copyOf(bytes, whole), c.echoed.toByteArray());
      assertTrue(c.closed, "the responder half-closes after the initiator");
    } finally {
      dc.finishAndReleaseAll();
      lc.finishAndReleaseAll();
    }
  }
}
