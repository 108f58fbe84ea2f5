package io.spacepanda.internal.net.identify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.yamux.YamuxConfig;
import io.spacepanda.internal.net.yamux.YamuxSession;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class IdentifyExchangeTest {

  private final List<MuxedStream> accepted = new ArrayList<>();
  private final YamuxSession dialer = new YamuxSession(true, s -> {}, YamuxConfig.defaults());
  private final YamuxSession listener =
      new YamuxSession(false, accepted::add, YamuxConfig.defaults());
  private final EmbeddedChannel dialerChannel = new EmbeddedChannel(dialer);
  private final EmbeddedChannel listenerChannel = new EmbeddedChannel(listener);

  @AfterEach
  void tearDown() {
    dialerChannel.finishAndReleaseAll();
    listenerChannel.finishAndReleaseAll();
  }

  private void pump() {
    boolean moved;
    do {
      moved = false;
      Object m;
      while ((m = dialerChannel.readOutbound()) != null) {
        listenerChannel.writeInbound(m);
        moved = true;
      }
      while ((m = listenerChannel.readOutbound()) != null) {
        dialerChannel.writeInbound(m);
        moved = true;
      }
    } while (moved);
  }

  @Test
  void responderSendsAndCloses_readerGetsMessageAndStreamFinishes() {
    IdentifyMessage announced = new IdentifyMessage(IdentifyConstants.PROTOCOL_VERSION,
        "spacepanda/test", new byte[] {8, 1, 18, 0}, List.of(new byte[] {4, 127, 0, 0, 1}),
        new byte[] {4, 127, 0, 0, 1, 6, 0, 1}, List.of("/ipfs/id/1.0.0", "/ipfs/ping/1.0.0"),
        new byte[0]);
    MuxedStream out = dialer.openStream().join();
    IdentifyReader reader = new IdentifyReader();
    out.setHandler(reader.attach(out));
    pump();
    MuxedStream in = accepted.get(0);
    in.setHandler(IdentifyResponder.respond(in, announced));
    pump();

    assertEquals(announced, reader.result().join());
    assertTrue(out.closeFuture().isDone());
    assertEquals(0, dialer.streamCount());
    assertEquals(0, listener.streamCount());
  }

  @Test
  void oversizedIdentify_failsAndResetsStream() {
    MuxedStream out = dialer.openStream().join();
    IdentifyReader reader = new IdentifyReader();
    out.setHandler(reader.attach(out));
    pump();
    MuxedStream in = accepted.get(0);
    in.write(Unpooled.wrappedBuffer(new byte[IdentifyConstants.MAX_MESSAGE_BYTES + 100]));
    pump();

    assertTrue(reader.result().isCompletedExceptionally());
    CompletionException e =
        org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
            () -> reader.result().join());
    assertInstanceOf(IdentifyException.class, e.getCause());
    assertTrue(out.closeFuture().isCompletedExceptionally());
  }

  @Test
  void peerClosesWithoutMessage_failsTyped() {
    MuxedStream out = dialer.openStream().join();
    IdentifyReader reader = new IdentifyReader();
    out.setHandler(reader.attach(out));
    pump();
    accepted.get(0).closeWrite();
    pump();
    CompletionException e =
        org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
            () -> reader.result().join());
    assertInstanceOf(IdentifyException.class, e.getCause());
  }
}
