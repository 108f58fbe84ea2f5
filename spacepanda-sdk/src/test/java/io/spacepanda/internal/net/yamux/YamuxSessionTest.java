package io.spacepanda.internal.net.yamux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.stream.MuxerProtocolException;
import io.spacepanda.internal.net.stream.StreamClosedException;
import io.spacepanda.internal.net.stream.StreamException;
import io.spacepanda.internal.net.stream.StreamResetException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 20, unit = TimeUnit.SECONDS)
class YamuxSessionTest {

  private YamuxPair pair = new YamuxPair();

  @AfterEach
  void tearDown() {
    pair.close();
  }

  private static ByteBuf bytes(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  private static <T> T done(CompletableFuture<T> future) {
    assertTrue(future.isDone(), "future should be complete");
    return future.join();
  }

  private static Throwable failure(CompletableFuture<?> future) {
    assertTrue(future.isCompletedExceptionally(), "future should have failed");
    try {
      future.join();
      throw new AssertionError("unreachable");
    } catch (CompletionException e) {
      return e.getCause();
    }
  }

  private MuxedStream openFromDialer(RecordingHandler handler) {
    MuxedStream stream = done(pair.dialer.openStream());
    stream.setHandler(handler);
    pair.pump();
    return stream;
  }

  @Test
  void openStream_dataBothWays_arrivesInOrder() {
    RecordingHandler dialerSide = new RecordingHandler(true);
    MuxedStream out = openFromDialer(dialerSide);
    assertEquals(1, out.id());
    assertTrue(out.isInitiator());
    assertEquals(1, pair.acceptedByListener.size());
    MuxedStream in = pair.acceptedByListener.get(0);
    assertEquals(1, in.id());
    assertFalse(in.isInitiator());
    RecordingHandler listenerSide = new RecordingHandler(true);
    in.setHandler(listenerSide);

    CompletableFuture<Void> sent = out.write(bytes("hello "));
    out.write(bytes("listener"));
    in.write(bytes("hi dialer"));
    pair.pump();

    assertTrue(sent.isDone() && !sent.isCompletedExceptionally());
    assertEquals("hello listener", listenerSide.received.toString(StandardCharsets.UTF_8));
    assertEquals("hi dialer", dialerSide.received.toString(StandardCharsets.UTF_8));
  }

  @Test
  void openStream_listenerSide_usesEvenIds() {
    MuxedStream first = done(pair.listener.openStream());
    MuxedStream second = done(pair.listener.openStream());
    pair.pump();
    assertEquals(2, first.id());
    assertEquals(4, second.id());
    assertEquals(2, pair.acceptedByDialer.size());
  }

  @Test
  void inboundData_beforeHandlerIsSet_isDeliveredWhenItIs() {
    MuxedStream out = openFromDialer(new RecordingHandler(true));
    out.write(bytes("early"));
    out.closeWrite();
    pair.pump();
    RecordingHandler late = new RecordingHandler(true);
    pair.acceptedByListener.get(0).setHandler(late);
    assertEquals("early", late.received.toString(StandardCharsets.UTF_8));
    assertTrue(late.remoteClosed);
  }

  @Test
  void write_beyondWindow_waitsUntilReaderConsumes() {
    MuxedStream out = openFromDialer(new RecordingHandler(true));
    MuxedStream in = pair.acceptedByListener.get(0);
    RecordingHandler slowReader = new RecordingHandler(false);
    in.setHandler(slowReader);
    byte[] payload = random(1024 * 1024);

    CompletableFuture<Void> sent = out.write(Unpooled.wrappedBuffer(payload));
    pair.pump();
    assertEquals(YamuxConstants.INITIAL_WINDOW, slowReader.received.size());
    assertFalse(sent.isDone());

    for (int round = 0; round < 64 && !sent.isDone(); round++) {
      slowReader.consumeAll(in);
      pair.pump();
    }
    assertTrue(sent.isDone() && !sent.isCompletedExceptionally());
    assertArrayEquals(payload, slowReader.received.toByteArray());
  }

  @Test
  void write_beyondQueueBound_failsWithoutLosingEarlierData() {
    pair.close();
    pair = new YamuxPair(YamuxConfig.defaults().withMaxQueuedBytes(1000), YamuxConfig.defaults());
    MuxedStream out = openFromDialer(new RecordingHandler(true));
    CompletableFuture<Void> tooMuch = out.write(Unpooled.wrappedBuffer(new byte[1001]));
    assertInstanceOf(StreamException.class, failure(tooMuch));
    CompletableFuture<Void> fine = out.write(Unpooled.wrappedBuffer(new byte[1000]));
    pair.pump();
    assertTrue(fine.isDone() && !fine.isCompletedExceptionally());
  }

  @Test
  void receiveWindow_consumedWithinRoundTrips_growsUpToMaximum() {
    pair.close();
    int max = 1024 * 1024;
    pair = new YamuxPair(YamuxConfig.defaults().withMaxQueuedBytes(16 * 1024 * 1024),
        YamuxConfig.defaults().withMaxReceiveWindow(max));
    CompletableFuture<Duration> rtt = pair.listener.ping();
    pair.clock.addAndGet(1_000_000);
    pair.pump();
    assertEquals(Duration.ofMillis(1), done(rtt));
    MuxedStream out = openFromDialer(new RecordingHandler(true));
    MuxedStream in = pair.acceptedByListener.get(0);
    RecordingHandler reader = new RecordingHandler(true);
    in.setHandler(reader);

    byte[] payload = random(8 * 1024 * 1024);
    CompletableFuture<Void> sent = out.write(Unpooled.wrappedBuffer(payload));
    pair.pump();

    assertTrue(sent.isDone());
    assertArrayEquals(payload, reader.received.toByteArray());
    assertEquals(max, ((YamuxStream) in).receiveWindow());
  }

  @Test
  void receiveWindow_growthOfAllStreams_boundedByTheConnectionBudget() {
    pair.close();
    int max = 1024 * 1024;
    pair = new YamuxPair(YamuxConfig.defaults().withMaxQueuedBytes(16 * 1024 * 1024),
        YamuxConfig.defaults().withMaxReceiveWindow(max).withMaxConnectionReceiveWindow(max));
    CompletableFuture<Duration> rtt = pair.listener.ping();
    pair.clock.addAndGet(1_000_000);
    pair.pump();
    done(rtt);
    List<MuxedStream> ins = new ArrayList<>();
    List<RecordingHandler> readers = new ArrayList<>();
    List<MuxedStream> outs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      outs.add(openFromDialer(new RecordingHandler(true)));
      MuxedStream in = pair.acceptedByListener.get(i);
      RecordingHandler reader = new RecordingHandler(true);
      in.setHandler(reader);
      ins.add(in);
      readers.add(reader);
    }
    byte[] payload = random(4 * 1024 * 1024);
    for (MuxedStream out : outs) {
      out.write(Unpooled.wrappedBuffer(payload));
    }
    pair.pump();

    long growth = 0;
    for (int i = 0; i < 3; i++) {
      assertArrayEquals(payload, readers.get(i).received.toByteArray());
      growth += ((YamuxStream) ins.get(i)).receiveWindow() - YamuxConstants.INITIAL_WINDOW;
    }
    // the three streams together were granted no more than one stream's maximum growth
    assertTrue(growth > 0 && growth <= max, "window growth " + growth);
    assertEquals(growth, pair.listener.windowGrowth());
    for (MuxedStream in : ins) {
      in.reset();
    }
    pair.pump();
    assertEquals(0, pair.listener.windowGrowth());
  }

  @Test
  void receiveWindow_consumedSlowerThanRoundTrips_staysAtInitialSize() {
    CompletableFuture<Duration> rtt = pair.listener.ping();
    pair.clock.addAndGet(1_000_000);
    pair.pump();
    done(rtt);
    MuxedStream out = openFromDialer(new RecordingHandler(true));
    MuxedStream in = pair.acceptedByListener.get(0);
    RecordingHandler reader = new RecordingHandler(false);
    in.setHandler(reader);

    CompletableFuture<Void> sent = out.write(Unpooled.wrappedBuffer(random(2 * 1024 * 1024)));
    for (int round = 0; round < 64 && !sent.isDone(); round++) {
      pair.pump();
      pair.clock.addAndGet(10_000_000);
      reader.consumeAll(in);
    }
    pair.pump();
    assertTrue(sent.isDone());
    assertEquals(YamuxConstants.INITIAL_WINDOW, ((YamuxStream) in).receiveWindow());
  }

  @Test
  void keepAlive_everyInterval_pingsAndStaysOpenWhenAnswered() {
    pair.dialerChannel.freezeTime();
    for (int i = 0; i < 3; i++) {
      pair.dialerChannel.advanceTimeBy(YamuxConstants.DEFAULT_KEEP_ALIVE_SECONDS, TimeUnit.SECONDS);
      pair.dialerChannel.runScheduledPendingTasks();
      List<ByteBuf> sent = pair.drainDialerOutput();
      assertEquals(1, sent.size());
      pair.clock.addAndGet(2_000_000);
      pair.listenerChannel.writeInbound(sent.get(0));
      pair.pump();
    }
    pair.dialerChannel.advanceTimeBy(YamuxConstants.DEFAULT_PING_TIMEOUT_SECONDS + 1, TimeUnit.SECONDS);
    pair.dialerChannel.runScheduledPendingTasks();
    assertTrue(pair.dialerChannel.isOpen());
    assertEquals(Duration.ofMillis(2), pair.dialer.rtt());
  }

  @Test
  void closeWrite_bothSides_finishesStreamAndKeepsOtherDirectionOpenMeanwhile() {
    RecordingHandler dialerSide = new RecordingHandler(true);
    MuxedStream out = openFromDialer(dialerSide);
    MuxedStream in = pair.acceptedByListener.get(0);
    RecordingHandler listenerSide = new RecordingHandler(true);
    in.setHandler(listenerSide);

    out.write(bytes("request"));
    out.closeWrite();
    pair.pump();
    assertTrue(listenerSide.remoteClosed);
    assertInstanceOf(StreamClosedException.class, failure(out.write(bytes("more"))));

    in.write(bytes("response"));
    in.closeWrite();
    pair.pump();
    assertEquals("response", dialerSide.received.toString(StandardCharsets.UTF_8));
    assertTrue(dialerSide.remoteClosed);
    assertTrue(out.closeFuture().isDone() && !out.closeFuture().isCompletedExceptionally());
    assertTrue(in.closeFuture().isDone() && !in.closeFuture().isCompletedExceptionally());
    assertEquals(0, pair.dialer.streamCount());
    assertEquals(0, pair.listener.streamCount());
  }

  @Test
  void reset_byDialer_reachesListenerAndFailsPendingWrites() {
    RecordingHandler dialerSide = new RecordingHandler(true);
    MuxedStream out = openFromDialer(dialerSide);
    MuxedStream in = pair.acceptedByListener.get(0);
    RecordingHandler listenerSide = new RecordingHandler(false);
    in.setHandler(listenerSide);
    CompletableFuture<Void> blocked =
        out.write(Unpooled.wrappedBuffer(new byte[YamuxConstants.INITIAL_WINDOW + 10]));
    pair.pump();

    out.reset();
    pair.pump();

    assertInstanceOf(StreamResetException.class, failure(blocked));
    assertInstanceOf(StreamResetException.class, dialerSide.reset);
    assertInstanceOf(StreamResetException.class, listenerSide.reset);
    assertInstanceOf(StreamResetException.class, failure(in.write(bytes("late"))));
    assertEquals(0, pair.listener.streamCount());
  }

  @Test
  void ping_answeredByPeer_reportsRoundTrip() {
    CompletableFuture<Duration> rtt = pair.dialer.ping();
    pair.clock.addAndGet(3_000_000);
    pair.pump();
    assertEquals(Duration.ofMillis(3), done(rtt));
    assertEquals(Duration.ofMillis(3), pair.dialer.rtt());
  }

  @Test
  void keepAlive_unanswered_closesConnection() {
    pair.listenerChannel.freezeTime();
    pair.drainDialerOutput().forEach(ByteBuf::release);
    CompletableFuture<Duration> rtt = pair.listener.ping();
    pair.listenerChannel.advanceTimeBy(YamuxConstants.DEFAULT_PING_TIMEOUT_SECONDS + 1, TimeUnit.SECONDS);
    pair.listenerChannel.runScheduledPendingTasks();

    assertInstanceOf(StreamClosedException.class, failure(rtt));
    assertFalse(pair.listenerChannel.isOpen());
    assertInstanceOf(StreamClosedException.class, failure(pair.listener.closeFuture()));
  }

  @Test
  void goAway_fromDialer_refusesNewStreamsButKeepsOldOnes() {
    RecordingHandler dialerSide = new RecordingHandler(true);
    MuxedStream out = openFromDialer(dialerSide);
    MuxedStream in = pair.acceptedByListener.get(0);
    RecordingHandler listenerSide = new RecordingHandler(true);
    in.setHandler(listenerSide);

    done(pair.dialer.goAway());
    pair.pump();

    assertFalse(pair.listener.isOpen());
    assertInstanceOf(StreamClosedException.class, failure(pair.listener.openStream()));
    assertInstanceOf(StreamClosedException.class, failure(pair.dialer.openStream()));
    out.write(bytes("still here"));
    pair.pump();
    assertEquals("still here", listenerSide.received.toString(StandardCharsets.UTF_8));
  }

  @Test
  void close_endsStreamsAndConnection() {
    RecordingHandler dialerSide = new RecordingHandler(true);
    MuxedStream out = openFromDialer(dialerSide);
    RecordingHandler listenerSide = new RecordingHandler(true);
    pair.acceptedByListener.get(0).setHandler(listenerSide);

    pair.dialer.close();
    pair.pump();
    pair.listenerChannel.close();

    assertFalse(pair.dialerChannel.isOpen());
    assertInstanceOf(StreamClosedException.class, dialerSide.reset);
    assertInstanceOf(StreamClosedException.class, listenerSide.reset);
    assertTrue(pair.dialer.closeFuture().isDone());
    assertInstanceOf(StreamClosedException.class, failure(out.write(bytes("x"))));
  }

  @Test
  void inboundStreams_beyondLimit_areReset() {
    pair.close();
    pair = new YamuxPair(YamuxConfig.defaults(), YamuxConfig.defaults().withMaxStreams(2));
    RecordingHandler first = new RecordingHandler(true);
    RecordingHandler second = new RecordingHandler(true);
    RecordingHandler third = new RecordingHandler(true);
    openFromDialer(first);
    openFromDialer(second);
    openFromDialer(third);

    assertEquals(2, pair.acceptedByListener.size());
    assertNull(first.reset);
    assertNull(second.reset);
    assertInstanceOf(StreamResetException.class, third.reset);
    assertTrue(pair.listenerChannel.isOpen());
  }

  @Test
  void openStream_beyondUnacknowledged_waitsForAcknowledgements() {
    List<CompletableFuture<MuxedStream>> opens = new ArrayList<>();
    for (int i = 0; i < YamuxConstants.EARLY_UNACKED_STREAMS + 2; i++) {
      opens.add(pair.dialer.openStream());
    }
    assertEquals(YamuxConstants.EARLY_UNACKED_STREAMS,
        opens.stream().filter(CompletableFuture::isDone).count());
    pair.pump();
    assertTrue(opens.stream().allMatch(f -> f.isDone() && !f.isCompletedExceptionally()));
    assertEquals(YamuxConstants.EARLY_UNACKED_STREAMS + 2, pair.acceptedByListener.size());
  }

  @Test
  void openStream_waitingWhenGoAwayArrives_fails() {
    List<CompletableFuture<MuxedStream>> opens = new ArrayList<>();
    for (int i = 0; i < YamuxConstants.EARLY_UNACKED_STREAMS + 1; i++) {
      opens.add(pair.dialer.openStream());
    }
    pair.drainDialerOutput().forEach(ByteBuf::release);
    done(pair.listener.goAway());
    pair.pump();
    assertInstanceOf(StreamClosedException.class, failure(opens.get(opens.size() - 1)));
  }

  @Test
  void outboundStreams_beyondLimit_fail() {
    pair.close();
    pair = new YamuxPair(YamuxConfig.defaults().withMaxStreams(1), YamuxConfig.defaults());
    done(pair.dialer.openStream());
    assertInstanceOf(StreamException.class, failure(pair.dialer.openStream()));
  }

  @Test
  void dataBeyondWindow_isProtocolErrorWithGoAwayAndClose() throws Exception {
    MuxedStream out = openFromDialer(new RecordingHandler(true));
    ByteBuf frame = Unpooled.buffer();
    new YamuxHeader(YamuxConstants.TYPE_DATA, 0, out.id(), YamuxConstants.INITIAL_WINDOW + 1)
        .encode(frame);
    pair.listenerChannel.writeInbound(frame);

    assertInstanceOf(MuxerProtocolException.class, failure(pair.listener.closeFuture()));
    assertFalse(pair.listenerChannel.isOpen());
    ByteBuf goAway = pair.listenerChannel.readOutbound();
    YamuxHeader header = YamuxHeader.decode(lastFrame(goAway), Long.MAX_VALUE);
    assertEquals(YamuxConstants.TYPE_GO_AWAY, header.type());
    assertEquals(YamuxConstants.GO_AWAY_PROTOCOL_ERROR, header.length());
  }

  private ByteBuf lastFrame(ByteBuf first) {
    ByteBuf last = first;
    Object next;
    while ((next = pair.listenerChannel.readOutbound()) != null) {
      last.release();
      last = (ByteBuf) next;
    }
    return last;
  }

  @Test
  void frameForNeverOpenedStream_isProtocolError() {
    ByteBuf frame = Unpooled.buffer();
    new YamuxHeader(YamuxConstants.TYPE_WINDOW_UPDATE, 0, 99, 10).encode(frame);
    pair.listenerChannel.writeInbound(frame);
    assertInstanceOf(MuxerProtocolException.class, failure(pair.listener.closeFuture()));
    assertFalse(pair.listenerChannel.isOpen());
  }

  @Test
  void synWithOwnParity_isProtocolError() {
    ByteBuf frame = Unpooled.buffer();
    new YamuxHeader(YamuxConstants.TYPE_WINDOW_UPDATE, YamuxConstants.FLAG_SYN, 2, 0).encode(frame);
    pair.listenerChannel.writeInbound(frame);
    assertInstanceOf(MuxerProtocolException.class, failure(pair.listener.closeFuture()));
  }

  @Test
  void pingFlood_whileChannelIsNotWritable_isNotAnswered() {
    pair.listenerChannel.unsafe().outboundBuffer().setUserDefinedWritability(1, false);
    for (int i = 0; i < 100; i++) {
      ByteBuf frame = Unpooled.buffer();
      new YamuxHeader(YamuxConstants.TYPE_PING, YamuxConstants.FLAG_SYN, 0, i).encode(frame);
      pair.listenerChannel.writeInbound(frame);
    }
    assertNull(pair.listenerChannel.readOutbound());
    assertTrue(pair.listenerChannel.isOpen());

    pair.listenerChannel.unsafe().outboundBuffer().setUserDefinedWritability(1, true);
    ByteBuf frame = Unpooled.buffer();
    new YamuxHeader(YamuxConstants.TYPE_PING, YamuxConstants.FLAG_SYN, 0, 7).encode(frame);
    pair.listenerChannel.writeInbound(frame);
    ByteBuf answer = pair.listenerChannel.readOutbound();
    assertEquals(YamuxConstants.TYPE_PING, answer.getByte(1));
    answer.release();
  }

  @Test
  void goAwayWithErrorCode_closesConnection() {
    ByteBuf frame = Unpooled.buffer();
    new YamuxHeader(YamuxConstants.TYPE_GO_AWAY, 0, 0, YamuxConstants.GO_AWAY_INTERNAL_ERROR)
        .encode(frame);
    pair.listenerChannel.writeInbound(frame);
    assertInstanceOf(StreamClosedException.class, failure(pair.listener.closeFuture()));
    assertFalse(pair.listenerChannel.isOpen());
  }

  @Test
  void manyStreams_atOnce_allCarryTheirOwnData() {
    int n = 100;
    RecordingHandler[] replies = new RecordingHandler[n];
    MuxedStream[] streams = new MuxedStream[n];
    for (int i = 0; i < n; i++) {
      replies[i] = new RecordingHandler(true);
      CompletableFuture<MuxedStream> opened = pair.dialer.openStream();
      pair.pump();
      streams[i] = done(opened);
      streams[i].setHandler(replies[i]);
      streams[i].write(bytes("stream " + i));
      streams[i].closeWrite();
    }
    pair.pump();
    for (MuxedStream in : pair.acceptedByListener) {
      in.setHandler(new EchoHandler());
    }
    pair.pump();
    for (int i = 0; i < n; i++) {
      assertEquals("stream " + i, replies[i].received.toString(StandardCharsets.UTF_8));
      assertTrue(streams[i].closeFuture().isDone());
    }
    assertEquals(0, pair.dialer.streamCount());
  }

  /** Echoes data back and half-closes when the peer does. */
  private static final class EchoHandler implements io.spacepanda.internal.net.stream.StreamHandler {
    @Override
    public void onData(MuxedStream stream, ByteBuf data) {
      int n = data.readableBytes();
      stream.write(data);
      stream.consumed(n);
    }

    @Override
    public void onRemoteClose(MuxedStream stream) {
      stream.closeWrite();
    }

    @Override
    public void onReset(MuxedStream stream, StreamException cause) {}
  }
}
