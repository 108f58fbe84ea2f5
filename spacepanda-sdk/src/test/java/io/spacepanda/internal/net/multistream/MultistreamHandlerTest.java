package io.spacepanda.internal.net.multistream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class MultistreamHandlerTest {

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

  @Test
  void responder_bytesAfterSelection_reachNextHandlerAndHandlerLeaves() {
    Outcome o = new Outcome();
    EmbeddedChannel ch =
        new EmbeddedChannel(new MultistreamHandler(MultistreamSelect.responder("/noise"::equals, 4), o));
    ByteBuf in = Unpooled.buffer();
    MultistreamSelect.writeMessage("/multistream/1.0.0", in);
    MultistreamSelect.writeMessage("/noise", in);
    in.writeBytes(new byte[] {0, 32, 7});
    ch.writeInbound(in);
    assertEquals("/noise", o.selected.get());
    ByteBuf next = ch.readInbound();
    assertArrayEquals(new byte[] {0, 32, 7}, ByteBufUtil.getBytes(next));
    next.release();
    assertNull(ch.pipeline().get(MultistreamHandler.class));
    ByteBuf out = Unpooled.buffer();
    for (Object o2; (o2 = ch.readOutbound()) != null; ) {
      out.writeBytes((ByteBuf) o2);
      ((ByteBuf) o2).release();
    }
    ByteBuf expected = Unpooled.buffer();
    MultistreamSelect.writeMessage("/multistream/1.0.0", expected);
    MultistreamSelect.writeMessage("/noise", expected);
    assertEquals(expected, out);
  }

  @Test
  void initiator_refused_failsTypedAndCloses() {
    Outcome o = new Outcome();
    EmbeddedChannel ch =
        new EmbeddedChannel(new MultistreamHandler(MultistreamSelect.initiator(List.of("/noise")), o));
    ByteBuf in = Unpooled.buffer();
    MultistreamSelect.writeMessage("/multistream/1.0.0", in);
    MultistreamSelect.writeMessage("na", in);
    ch.writeInbound(in);
    assertEquals(MultistreamException.Kind.NO_COMMON_PROTOCOL,
        assertInstanceOf(MultistreamException.class, o.failure.get()).kind());
    assertFalse(ch.isOpen());
    ch.finishAndReleaseAll();
  }
}
