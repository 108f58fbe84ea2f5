package io.spacepanda.internal.net.multistream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Random and mutated bytes to a responder {@link MultistreamHandler} in a channel pipeline
 * (multistream-select spec, "Protocol Negotiation": varint-prefixed, newline-terminated messages):
 * the handler selects, waits, or fails with a {@link MultistreamException} and closes the channel;
 * nothing else escapes, and it never selects a protocol it does not serve.
 */
class MultistreamHandlerFuzzTest {

  private static final class Outcome implements MultistreamHandler.Listener {
    final AtomicReference<String> selected = new AtomicReference<>();
    final AtomicReference<Throwable> failure = new AtomicReference<>();

    @Override
    public void onSelected(ChannelHandlerContext ctx, String protocol) {
      selected.set(protocol);
    }

    @Override
    public void onFailed(Throwable cause) {
      failure.set(cause);
    }
  }

  private static void feed(byte[] bytes, int chunk) {
    Outcome o = new Outcome();
    EmbeddedChannel ch =
        new EmbeddedChannel(new MultistreamHandler(MultistreamSelect.responder("/noise"::equals, 4), o));
    for (int off = 0; off < bytes.length && ch.isOpen(); off += chunk) {
      ch.writeInbound(Unpooled.wrappedBuffer(bytes, off, Math.min(chunk, bytes.length - off)));
    }
    if (o.failure.get() != null) {
      assertTrue(o.failure.get() instanceof MultistreamException, () -> "untyped " + o.failure.get());
      assertFalse(ch.isOpen());
      assertNull(o.selected.get());
    }
    if (o.selected.get() != null) {
      assertTrue(o.selected.get().equals("/noise"));
    }
    ch.finishAndReleaseAll();
  }

  @Property(tries = 500)
  void randomBytes_selectWaitOrFailTyped(@ForAll @Size(max = 300) byte[] bytes,
      @ForAll @IntRange(min = 1, max = 40) int chunk) {
    feed(bytes, chunk);
  }

  @Property(tries = 500)
  void mutatedNegotiation_selectWaitOrFailTyped(@ForAll @IntRange(min = 0, max = 100) int position,
      @ForAll @IntRange(min = 1, max = 255) int xor, @ForAll @IntRange(min = 1, max = 40) int chunk) {
    ByteBuf in = Unpooled.buffer();
    MultistreamSelect.writeMessage("/multistream/1.0.0", in);
    MultistreamSelect.writeMessage("/tls/1.0.0", in);
    MultistreamSelect.writeMessage("/noise", in);
    byte[] b = new byte[in.readableBytes()];
    in.readBytes(b);
    in.release();
    b[position % b.length] ^= (byte) xor;
    feed(b, chunk);
  }

  /** A length prefix claiming up to 2^63: refused by the message limit, never allocated. */
  @Property(tries = 200)
  void hugeClaimedLength_failsTyped(@ForAll @IntRange(min = 2, max = 10) int varintBytes) {
    byte[] b = new byte[varintBytes];
    java.util.Arrays.fill(b, (byte) 0xFF);
    b[varintBytes - 1] = 0x7F;
    feed(b, 3);
  }
}
