package io.spacepanda.internal.net.ping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.stream.StreamException;
import io.spacepanda.internal.net.stream.StreamHandler;
import io.spacepanda.internal.net.yamux.YamuxConfig;
import io.spacepanda.internal.net.yamux.YamuxSession;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class PingTest {

  private final AtomicLong clock = new AtomicLong(5_000_000_000L);
  private final List<MuxedStream> accepted = new ArrayList<>();
  private final YamuxSession dialer = new YamuxSession(true, s -> {}, YamuxConfig.defaults());
  private final YamuxSession listener = new YamuxSession(false, s -> {
    accepted.add(s);
    s.setHandler(new PingResponder());
  }, YamuxConfig.defaults());
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

  private PingInitiator openPing() {
    MuxedStream out = dialer.openStream().join();
    PingInitiator initiator = new PingInitiator(new Random(7), clock::get);
    out.setHandler(initiator.attach(out));
    return initiator;
  }

  @Test
  void ping_threeTimesOnOneStream_measuresEachRoundTrip() {
    PingInitiator initiator = openPing();
    for (int i = 1; i <= 3; i++) {
      CompletableFuture<Duration> rtt = initiator.ping();
      clock.addAndGet(i * 1_000_000L);
      pump();
      assertEquals(Duration.ofMillis(i), rtt.join());
    }
    initiator.close();
    pump();
    assertEquals(0, dialer.streamCount());
    assertEquals(0, listener.streamCount());
  }

  @Test
  void responder_answersPingSentTogetherWithHalfClose() {
    MuxedStream out = dialer.openStream().join();
    Collector echoes = new Collector();
    out.setHandler(echoes);
    byte[] payload = new byte[PingConstants.PAYLOAD_LENGTH];
    new Random(1).nextBytes(payload);
    out.write(Unpooled.wrappedBuffer(payload));
    out.closeWrite();
    pump();

    assertEquals(PingConstants.PAYLOAD_LENGTH, echoes.bytes.size());
    assertTrue(echoes.closed);
    assertEquals(0, listener.streamCount());
  }

  @Test
  void responder_echoesPayloadSplitAcrossFrames() {
    MuxedStream out = dialer.openStream().join();
    Collector echoes = new Collector();
    out.setHandler(echoes);
    byte[] payload = new byte[PingConstants.PAYLOAD_LENGTH * 2];
    new Random(2).nextBytes(payload);
    out.write(Unpooled.wrappedBuffer(payload, 0, 5));
    pump();
    assertEquals(0, echoes.bytes.size());
    out.write(Unpooled.wrappedBuffer(payload, 5, payload.length - 5));
    pump();
    assertEquals(payload.length, echoes.bytes.size());
  }

  @Test
  void wrongEcho_failsPingAndResetsStream() {
    MuxedStream out = dialer.openStream().join();
    PingInitiator initiator = new PingInitiator(new Random(7), clock::get);
    out.setHandler(initiator.attach(out));
    pump();
    MuxedStream in = accepted.get(0);
    in.setHandler(new Collector());
    CompletableFuture<Duration> rtt = initiator.ping();
    in.write(Unpooled.wrappedBuffer(new byte[PingConstants.PAYLOAD_LENGTH]));
    pump();

    CompletionException e = assertThrows(CompletionException.class, rtt::join);
    assertInstanceOf(PingException.class, e.getCause());
    assertTrue(out.closeFuture().isCompletedExceptionally());
  }

  @Test
  void responderClosingFirst_failsPendingPing() {
    PingInitiator initiator = openPing();
    pump();
    accepted.get(0).setHandler(new Collector());
    accepted.get(0).closeWrite();
    CompletableFuture<Duration> rtt = initiator.ping();
    pump();
    CompletionException e = assertThrows(CompletionException.class, rtt::join);
    assertInstanceOf(PingException.class, e.getCause());
  }

  private static final class Collector implements StreamHandler {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    boolean closed;

    @Override
    public void onData(MuxedStream stream, ByteBuf data) {
      int n = data.readableBytes();
      byte[] b = new byte[n];
      data.readBytes(b);
      data.release();
      bytes.writeBytes(b);
      stream.consumed(n);
    }

    @Override
    public void onRemoteClose(MuxedStream stream) {
      closed = true;
    }

    @Override
    public void onReset(MuxedStream stream, StreamException cause) {}
  }
}
