package io.spacepanda.internal.net.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.spacepanda.PeerId;
import io.spacepanda.internal.net.host.ResourceManager.Direction;
import io.spacepanda.internal.net.host.ResourceManager.StreamScope;
import io.spacepanda.internal.net.stream.MuxedStream;
import io.spacepanda.internal.net.stream.StreamHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The resource manager's scopes, limits, eviction and stall deadline, on a virtual clock. */
class ResourceManagerTest {

  private final AtomicLong now = new AtomicLong();

  private static PeerId peer(int i) {
    byte[] key = new byte[32];
    key[0] = (byte) i;
    key[1] = (byte) (i >> 8);
    return PeerId.fromPublicKey(key);
  }

  /** A stream that records resets and closes when reset, as a muxer's does. */
  static final class FakeStream implements MuxedStream {
    final CompletableFuture<Void> closed = new CompletableFuture<>();
    int resets;

    @Override public long id() { return 1; }
    @Override public boolean isInitiator() { return false; }
    @Override public void setHandler(StreamHandler handler) {}
    @Override public CompletableFuture<Void> write(ByteBuf data) { data.release(); return CompletableFuture.completedFuture(null); }
    @Override public CompletableFuture<Void> closeWrite() { return CompletableFuture.completedFuture(null); }
    @Override public void reset() { resets++; closed.complete(null); }
    @Override public void consumed(int bytes) {}
    @Override public EventExecutor executor() { return ImmediateEventExecutor.INSTANCE; }
    @Override public ByteBufAllocator alloc() { return ByteBufAllocator.DEFAULT; }
    @Override public CompletableFuture<Void> closeFuture() { return closed; }
  }

  private ResourceManager manager(ResourceLimits limits) {
    return ResourceManager.create(limits, now::get);
  }

  private static StreamScope open(ResourceManager rm, ResourceManager.ConnectionScope c, FakeStream s,
      String protocol) throws ResourceLimitException {
    StreamScope scope = rm.openStream(c, s, protocol, Direction.INBOUND);
    s.closed.whenComplete((v, e) -> scope.close());
    return scope;
  }

  /**
   * A peer whose streams keep being refused is penalized: after {@value
   * ResourceManager#REFUSALS_BEFORE_PENALTY} refusals within a second its new streams are refused
   * before negotiation, while it goes on and for two seconds after; another peer is untouched.
   */
  @Test
  void refusedStreams_manyWithinASecond_peerPenalizedUntilItStops() throws Exception {
    ResourceManager rm = manager(ResourceLimits.defaults());
    rm.setProtocolLimits("/p", new ProtocolLimits(1, 1000, 1 << 20, 1 << 20, 1 << 20));
    ResourceManager.ConnectionScope bad = rm.openConnection(peer(1), Direction.INBOUND);
    ResourceManager.ConnectionScope good = rm.openConnection(peer(2), Direction.INBOUND);
    open(rm, bad, new FakeStream(), "/p"); // its one admitted stream, held
    for (int i = 0; i < ResourceManager.REFUSALS_BEFORE_PENALTY - 1; i++) {
      assertFalse(rm.refuseUnnegotiated(bad), "not penalized before the threshold: " + i);
      assertThrows(ResourceLimitException.class, () -> open(rm, bad, new FakeStream(), "/p"));
      now.addAndGet(10_000_000L); // 10 ms apart
    }
    assertFalse(rm.penalized(peer(1)));
    assertThrows(ResourceLimitException.class, () -> open(rm, bad, new FakeStream(), "/p"));
    assertTrue(rm.penalized(peer(1)));
    assertTrue(rm.refuseUnnegotiated(bad), "refused before negotiation");
    assertFalse(rm.refuseUnnegotiated(good), "another peer is not");
    open(rm, good, new FakeStream(), "/p");

    // going on keeps it penalized; stopping for the penalty's length ends it
    for (int i = 0; i < 30; i++) {
      now.addAndGet(100_000_000L);
      assertTrue(rm.refuseUnnegotiated(bad));
    }
    now.addAndGet(ResourceManager.PENALTY_NANOS - 1);
    assertTrue(rm.penalized(peer(1)));
    now.addAndGet(1);
    assertFalse(rm.penalized(peer(1)));
    assertFalse(rm.refuseUnnegotiated(bad));
    assertEquals(1, rm.stats().penalties());
    assertEquals(31, rm.stats().refusedUnnegotiated());
  }

  /** Refusals spread thinner than the threshold per second never penalize. */
  @Test
  void refusedStreams_fewPerSecond_neverPenalized() throws Exception {
    ResourceManager rm = manager(ResourceLimits.defaults());
    rm.setProtocolLimits("/p", new ProtocolLimits(1, 1000, 1 << 20, 1 << 20, 1 << 20));
    ResourceManager.ConnectionScope c = rm.openConnection(peer(1), Direction.INBOUND);
    open(rm, c, new FakeStream(), "/p");
    for (int i = 0; i < 10 * ResourceManager.REFUSALS_BEFORE_PENALTY; i++) {
      assertThrows(ResourceLimitException.class, () -> open(rm, c, new FakeStream(), "/p"));
      now.addAndGet(ResourceManager.REFUSAL_WINDOW_NANOS / (ResourceManager.REFUSALS_BEFORE_PENALTY / 2));
      assertFalse(rm.refuseUnnegotiated(c));
    }
    assertEquals(0, rm.stats().penalties());
  }

  /** A peer at the peer-wide stream limit is refused before negotiation: every protocol would. */
  @Test
  void refuseUnnegotiated_peerAtItsStreamLimit_refused() throws Exception {
    ResourceManager rm = manager(ResourceLimits.defaults().withPerPeerCounts(4, 2));
    ResourceManager.ConnectionScope c = rm.openConnection(peer(1), Direction.INBOUND);
    FakeStream first = new FakeStream();
    open(rm, c, first, "/a");
    assertFalse(rm.refuseUnnegotiated(c));
    open(rm, c, new FakeStream(), "/b");
    assertTrue(rm.refuseUnnegotiated(c));
    first.reset();
    assertFalse(rm.refuseUnnegotiated(c), "room again once one closes");
  }

  @Test
  void reserve_overTheBudget_peerHoldingMostGivesWayToSmallerOne() throws Exception {
    ResourceManager rm = manager(ResourceLimits.defaults().withMaxMemory(1000));
    ResourceManager.ConnectionScope hog = rm.openConnection(peer(1), Direction.INBOUND);
    ResourceManager.ConnectionScope small = rm.openConnection(peer(2), Direction.INBOUND);
    FakeStream h1 = new FakeStream();
    FakeStream h2 = new FakeStream();
    FakeStream s1 = new FakeStream();
    assertTrue(open(rm, hog, h1, "/p").reserveMemory(600));
    assertTrue(open(rm, hog, h2, "/p").reserveMemory(300));

    assertTrue(open(rm, small, s1, "/p").reserveMemory(200));

    assertEquals(1, h1.resets, "the hog's oldest stream gives way");
    assertEquals(0, h2.resets);
    assertEquals(500, rm.memory());
    assertEquals(1, rm.stats().evictedStreams());
  }

  @Test
  void reserve_requesterHoldsMost_isRefusedAndNothingEvicted() throws Exception {
    ResourceManager rm = manager(ResourceLimits.defaults().withMaxMemory(1000));
    ResourceManager.ConnectionScope a = rm.openConnection(peer(1), Direction.INBOUND);
    ResourceManager.ConnectionScope b = rm.openConnection(peer(2), Direction.INBOUND);
    assertTrue(open(rm, a, new FakeStream(), "/p").reserveMemory(500));
    assertTrue(open(rm, b, new FakeStream(), "/p").reserveMemory(400));
    assertFalse(open(rm, a, new FakeStream(), "/p").reserveMemory(200));
    assertFalse(open(rm, b, new FakeStream(), "/p").reserveMemory(2000), "more than the budget");
    assertEquals(0, rm.stats().evictedStreams());
    assertEquals(900, rm.memory());
  }

  @Test
  void reserve_perPeerPerStreamAndPerProtocolLimits_refuse() throws Exception {
    ResourceManager rm = manager(ResourceLimits.defaults().withMaxMemory(10_000)
        .withMemoryPerPeer(1000, 1000).withMaxMemoryPerStream(700));
    rm.setProtocolLimits("/small", new ProtocolLimits(8, 8, 300));
    ResourceManager.ConnectionScope a = rm.openConnection(peer(1), Direction.INBOUND);
    assertFalse(open(rm, a, new FakeStream(), "/p").reserveMemory(701), "per stream");
    assertTrue(open(rm, a, new FakeStream(), "/p").reserveMemory(700));
    assertFalse(open(rm, a, new FakeStream(), "/p").reserveMemory(301), "per peer");
    ResourceManager.ConnectionScope b = rm.openConnection(peer(2), Direction.INBOUND);
    assertTrue(open(rm, b, new FakeStream(), "/small").reserveMemory(300));
    assertFalse(open(rm, b, new FakeStream(), "/small").reserveMemory(1), "per protocol");
    assertEquals(3, rm.stats().refusedReservations());
  }

  @Test
  void openStream_perPeerAndPerProtocolCounts_refuseInboundOnly() throws Exception {
    ResourceManager rm = manager(ResourceLimits.defaults().withPerPeerCounts(2, 3));
    rm.setProtocolLimits("/env", new ProtocolLimits(2, 3, 1 << 20));
    ResourceManager.ConnectionScope a = rm.openConnection(peer(1), Direction.INBOUND);
    ResourceManager.ConnectionScope b = rm.openConnection(peer(2), Direction.INBOUND);
    FakeStream first = new FakeStream();
    open(rm, a, first, "/env");
    open(rm, a, new FakeStream(), "/env");
    ResourceLimitException perPeer = assertThrows(ResourceLimitException.class,
        () -> open(rm, a, new FakeStream(), "/env"));
    assertEquals(ResourceLimitException.Scope.PROTOCOL, perPeer.scope());
    open(rm, a, new FakeStream(), "/other");
    assertEquals(ResourceLimitException.Scope.PEER, assertThrows(ResourceLimitException.class,
        () -> open(rm, a, new FakeStream(), "/other")).scope());
    open(rm, b, new FakeStream(), "/env");
    assertThrows(ResourceLimitException.class, () -> open(rm, b, new FakeStream(), "/env"),
        "protocol total");
    rm.openStream(a, new FakeStream(), "/env", Direction.OUTBOUND); // own streams are not limited
    first.reset();
    open(rm, b, new FakeStream(), "/env");
    assertEquals(2, rm.refusedStreams("/env"));
    assertEquals(1, rm.refusedStreams("/other"));
  }

  @Test
  void openConnection_overPerPeerLimit_refusedAndFreedOnClose() throws Exception {
    ResourceManager rm = manager(ResourceLimits.defaults().withPerPeerCounts(2, 8));
    ResourceManager.ConnectionScope c1 = rm.openConnection(peer(1), Direction.INBOUND);
    rm.openConnection(peer(1), Direction.OUTBOUND);
    assertThrows(ResourceLimitException.class, () -> rm.openConnection(peer(1), Direction.INBOUND));
    rm.openConnection(peer(2), Direction.INBOUND);
    c1.close();
    c1.close();
    rm.openConnection(peer(1), Direction.INBOUND);
    assertEquals(3, rm.stats().connections());
    assertEquals(1, rm.stats().refusedConnections());
  }

  /** Issue 14: a stream that announced bytes and stalls is reset after the deadline, others not. */
  @Test
  void sweepStalls_onlyStreamsWithoutProgressPastTheDeadline_areReset() throws Exception {
    ResourceManager rm = manager(ResourceLimits.defaults().withStallTimeout(Duration.ofSeconds(5)));
    ResourceManager.ConnectionScope attacker = rm.openConnection(peer(1), Direction.INBOUND);
    ResourceManager.ConnectionScope good = rm.openConnection(peer(2), Direction.INBOUND);
    FakeStream stalled = new FakeStream();
    FakeStream slow = new FakeStream();
    FakeStream done = new FakeStream();
    FakeStream idle = new FakeStream();
    open(rm, attacker, stalled, "/p").reserveMemory(1 << 20);
    StreamScope slowScope = open(rm, good, slow, "/p");
    slowScope.reserveMemory(1000);
    StreamScope doneScope = open(rm, good, done, "/p");
    doneScope.reserveMemory(1000);
    doneScope.received();
    open(rm, good, idle, "/p"); // reserved nothing: a request waiting for an answer, say

    now.addAndGet(Duration.ofSeconds(4).toNanos());
    slowScope.progress();
    assertEquals(0, rm.sweepStalls());
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    assertEquals(1, rm.sweepStalls());

    assertEquals(1, stalled.resets);
    assertEquals(0, slow.resets + done.resets + idle.resets);
    assertEquals(2000, rm.memory(), "the stalled stream's memory is free");
    now.addAndGet(Duration.ofSeconds(5).toNanos());
    assertEquals(1, rm.sweepStalls());
    assertEquals(1, slow.resets);
    assertEquals(0, done.resets, "a complete stream is never a stall");
    assertEquals(2, rm.stats().stalledStreams());
  }

  @Test
  void onAbort_replacesTheReset() throws Exception {
    ResourceManager rm = manager(ResourceLimits.defaults());
    FakeStream s = new FakeStream();
    StreamScope scope = open(rm, rm.openConnection(peer(1), Direction.INBOUND), s, "/p");
    List<String> aborted = new ArrayList<>();
    scope.onAbort(() -> aborted.add("x"));
    scope.reserveMemory(10);
    now.addAndGet(ResourceLimits.DEFAULT_STALL_TIMEOUT.toNanos());
    rm.sweepStalls();
    assertEquals(List.of("x"), aborted);
    assertEquals(0, s.resets);
  }

  @Test
  void close_releasesEverythingAndForgetsTheStream() throws Exception {
    ResourceManager rm = manager(ResourceLimits.defaults());
    ResourceManager.ConnectionScope c = rm.openConnection(peer(1), Direction.INBOUND);
    FakeStream s = new FakeStream();
    StreamScope scope = open(rm, c, s, "/p");
    scope.reserveMemory(100);
    assertEquals(scope, rm.scopeOf(s));
    s.reset();
    scope.close();
    c.close();
    assertNull(rm.scopeOf(s));
    assertEquals(new ResourceManager.Stats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0), rm.stats());
  }

  /**
   * Whatever peers open, reserve and close, in any order, memory stays within every limit, is
   * never negative, and returns to zero once everything closed.
   */
  @Property(tries = 200)
  void randomSchedule_memoryStaysWithinLimitsAndReturnsToZero(
      @ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int peers,
      @ForAll @LongRange(min = 1, max = 10_000) long max) throws Exception {
    Random random = new Random(seed);
    ResourceLimits limits = ResourceLimits.defaults().withMaxMemory(max)
        .withMemoryPerPeer(Math.max(1, max / 2), Math.max(1, max / 2))
        .withStallTimeout(Duration.ofSeconds(1));
    ResourceManager rm = manager(limits);
    List<ResourceManager.ConnectionScope> conns = new ArrayList<>();
    for (int i = 0; i < peers; i++) {
      conns.add(rm.openConnection(peer(i), Direction.INBOUND));
    }
    List<FakeStream> live = new ArrayList<>();
    for (int step = 0; step < 300; step++) {
      int op = random.nextInt(5);
      if (op == 0 && !live.isEmpty()) {
        live.remove(random.nextInt(live.size())).reset();
      } else if (op == 1) {
        now.addAndGet(random.nextInt(600_000_000));
        rm.sweepStalls();
      } else {
        FakeStream s = new FakeStream();
        try {
          StreamScope scope = open(rm, conns.get(random.nextInt(peers)), s, "/p" + random.nextInt(2));
          live.add(s);
          scope.reserveMemory(1 + random.nextInt((int) max + 10));
        } catch (ResourceLimitException e) {
          // a count limit: fine
        }
      }
      long m = rm.memory();
      assertTrue(m >= 0 && m <= max, "seed " + seed + ": " + m);
    }
    for (FakeStream s : live) {
      s.reset();
    }
    for (ResourceManager.ConnectionScope c : conns) {
      c.close();
    }
    assertEquals(0, rm.memory(), "seed " + seed);
    assertEquals(0, rm.stats().streams(), "seed " + seed);
    assertEquals(0, rm.stats().connections(), "seed " + seed);
  }
}
