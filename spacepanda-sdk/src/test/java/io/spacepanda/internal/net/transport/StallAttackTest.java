package io.spacepanda.internal.net.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.spacepanda.PeerId;
import io.spacepanda.internal.net.host.Connection;
import io.spacepanda.internal.net.host.Host;
import io.spacepanda.internal.net.host.ResourceManager;
import io.spacepanda.internal.net.host.StreamCollector;
import io.spacepanda.internal.net.keys.IdentitySigner;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.yamux.YamuxMuxerFactory;
import io.spacepanda.spi.TransportContext;
import io.spacepanda.testkit.RecordingListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14, stalls: streams that announce an envelope and then send nothing are reset after the
 * resource manager's no-progress deadline and never delay another peer's envelopes. The deadline
 * runs on a virtual clock, so the test asserts order, not time: every envelope of the good peer is
 * acknowledged while the clock stands still (so while every stalled stream is still open), and the
 * stalled streams are reset only once the clock moves past the deadline.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StallAttackTest {

  private final List<AutoCloseable> open = new ArrayList<>();
  private final AtomicLong clock = new AtomicLong();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private record Node(Libp2pTransport transport, RecordingListener in, PeerId peer) {
    String address() {
      return transport.listenAddresses().get(0);
    }
  }

  /** A node whose stall deadline (5 s) runs on {@link #clock}; its other timeouts are long. */
  private Node node() throws Exception {
    RecordingListener in = new RecordingListener();
    TransportContext ctx = TransportFixtures.context(in, List.of());
    Libp2pTransportConfig config = Libp2pTransportConfig.defaults()
        .withStreamTimeouts(Duration.ofSeconds(30), Duration.ofSeconds(50));
    ResourceManager rm = ResourceManager.create(
        Libp2pTransport.resourceLimits(config).withStallTimeout(Duration.ofSeconds(5)), clock::get);
    Libp2pTransport t = new Libp2pTransport(ctx, config, rm);
    open.add(t);
    t.start().get(10, TimeUnit.SECONDS);
    return new Node(t, in, ctx.localPeer());
  }

  private Connection rawDial(Node target) throws Exception {
    Host h = Host.builder().identity(IdentitySigner.generateEd25519(TransportFixtures.RANDOM))
        .muxer(new YamuxMuxerFactory()).build();
    open.add(h);
    return h.dial(Multiaddr.parse(target.address())).get(10, TimeUnit.SECONDS);
  }

  private static StreamCollector rawStream(Connection c, byte[] bytes) throws Exception {
    StreamCollector collector = new StreamCollector();
    MuxedStream s = c.openStream(List.of(EnvelopeProtocolConstants.PROTOCOL_ID), collector)
        .get(10, TimeUnit.SECONDS);
    s.write(Unpooled.wrappedBuffer(bytes));
    return collector;
  }

  private static void eventually(BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 400 && !condition.getAsBoolean(); i++) {
      Thread.sleep(25);
    }
    assertTrue(condition.getAsBoolean(), "condition not reached within 10 s");
  }

  @Test
  void stalledStreams_goodPeerDeliversFirst_stalledResetOnlyAfterTheDeadline() throws Exception {
    Node a = node();
    List<StreamCollector> stalled = new ArrayList<>();
    List<Connection> attackers = new ArrayList<>();
    for (int peer = 0; peer < 2; peer++) {
      Connection c = rawDial(a);
      attackers.add(c);
      for (int i = 0; i < 8; i++) {
        byte[] head = Arrays.copyOf(EnvelopeCodec.encodeEnvelope(new byte[1 << 20]), 8);
        stalled.add(rawStream(c, head));
      }
    }
    eventually(() -> a.transport().announcedEnvelopes() == stalled.size());

    Node b = node();
    b.transport().addPeerAddress(a.peer(), a.address());
    List<CompletableFuture<Void>> sends = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      byte[] envelope = new byte[1024];
      envelope[0] = 1;
      envelope[1] = (byte) i;
      sends.add(b.transport().send(a.peer(), envelope));
    }
    for (CompletableFuture<Void> f : sends) {
      f.get(20, TimeUnit.SECONDS);
    }
    // the virtual clock has not moved: every stalled stream is still open, so none of the good
    // peer's 50 envelopes waited for a stall to be cleared
    assertEquals(50, a.in().envelopes().size());
    assertTrue(stalled.stream().noneMatch(s -> s.done().isDone()), "no stalled stream reset yet");
    assertEquals(0, a.transport().resources().stats().stalledStreams());

    clock.addAndGet(Duration.ofSeconds(5).toNanos());

    eventually(() -> stalled.stream().allMatch(s -> s.done().isCompletedExceptionally()));
    ResourceManager.Stats stats = a.transport().resources().stats();
    assertEquals(stalled.size(), stats.stalledStreams());
    assertEquals(stalled.size(), a.transport().rejectedStreams());
    assertTrue(attackers.stream().allMatch(Connection::isOpen), "only the streams are reset");
    eventually(() -> a.transport().inboundBufferedBytes() == 0);
    System.out.printf("stall attack: %d stalled streams of 1 MiB from 2 peers; 50 of 50 envelopes"
        + " of a good peer acknowledged before any stall deadline; %d stalled streams reset once"
        + " the virtual clock passed 5 s%n", stalled.size(), stats.stalledStreams());
  }

  @Test
  void slowButSteadyStream_isNotAStall() throws Exception {
    Node a = node();
    Connection c = rawDial(a);
    byte[] frame = EnvelopeCodec.encodeEnvelope(new byte[4500]);
    StreamCollector collector = new StreamCollector();
    MuxedStream s = c.openStream(List.of(EnvelopeProtocolConstants.PROTOCOL_ID), collector)
        .get(10, TimeUnit.SECONDS);
    int chunk = 1000;
    for (int off = 0; off < frame.length; off += chunk) {
      int end = Math.min(frame.length, off + chunk);
      s.write(Unpooled.wrappedBuffer(Arrays.copyOfRange(frame, off, end))).get(10, TimeUnit.SECONDS);
      eventually(() -> a.transport().announcedEnvelopes() == 1);
      // 2 s of virtual time per chunk: 10 s in all, twice the deadline, but never 5 s without
      // progress unless a chunk lagged two steps (100 ms of real time) behind its write
      Thread.sleep(50);
      clock.addAndGet(Duration.ofSeconds(2).toNanos());
    }
    eventually(() -> a.in().envelopes().size() == 1);
    assertFalse(collector.done().isCompletedExceptionally());
    assertEquals(0, a.transport().resources().stats().stalledStreams());
  }
}
