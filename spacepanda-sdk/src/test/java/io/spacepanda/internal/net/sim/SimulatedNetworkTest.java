package io.spacepanda.internal.net.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.PeerId;
import io.spacepanda.spi.Transport;
import io.spacepanda.spi.TransportException;
import io.spacepanda.testkit.RecordingListener;
import io.spacepanda.testkit.TestPeers;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SimulatedNetworkTest {

  private static final long SEED = 42;
  private static final PeerId ALICE = TestPeers.peer(1);
  private static final PeerId BOB = TestPeers.peer(2);

  private final SimulatedNetwork net = new SimulatedNetwork(SEED);
  private final RecordingListener aliceIn = new RecordingListener();
  private final RecordingListener bobIn = new RecordingListener();

  private Transport start(PeerId peer, RecordingListener listener) {
    Transport t = net.transportFactory().create(TestPeers.context(peer, listener));
    t.start().join();
    return t;
  }

  private static Throwable failure(CompletableFuture<?> f) {
    assertTrue(f.isCompletedExceptionally(), "future should have failed: " + f);
    try {
      f.join();
      throw new AssertionError("unreachable");
    } catch (CompletionException e) {
      return e.getCause();
    }
  }

  @Test
  void send_reliableLink_deliversAfterLatencyAndAcknowledges() {
    Transport alice = start(ALICE, aliceIn);
    start(BOB, bobIn);

    CompletableFuture<Void> sent = alice.send(BOB, new byte[] {1, 2, 3});
    net.advance(LinkConditions.DEFAULT_LATENCY.minusNanos(1));
    assertTrue(bobIn.envelopes().isEmpty(), net.toString());
    net.advance(Duration.ofNanos(1));
    assertEquals(1, bobIn.envelopes().size(), net.toString());
    assertArrayEquals(new byte[] {1, 2, 3}, bobIn.envelopes().get(0).envelope());
    assertEquals(ALICE, bobIn.envelopes().get(0).connectionPeer());
    assertFalse(sent.isDone(), "acknowledgement still travelling");
    net.advance(LinkConditions.DEFAULT_LATENCY);
    assertTrue(sent.isDone() && !sent.isCompletedExceptionally(), net.toString());
    assertEquals(new NetworkStats(1, 1, 0, 0, 1, 0), net.stats());
  }

  @Test
  void start_twoNodes_bothSeeEachOtherConnected() {
    Transport alice = start(ALICE, aliceIn);
    Transport bob = start(BOB, bobIn);
    net.runUntilIdle();

    assertEquals(List.of(BOB), aliceIn.connectedEvents());
    assertEquals(List.of(ALICE), bobIn.connectedEvents());
    assertEquals(Set.of(BOB), alice.connectedPeers());
    assertEquals(List.of("sim://" + BOB.toBase58()), bob.listenAddresses());
  }

  @Test
  void send_unknownPeer_failsAfterTimeout() {
    Transport alice = start(ALICE, aliceIn);

    CompletableFuture<Void> sent = alice.send(TestPeers.peer(99), new byte[] {7});
    net.advance(SimulatedNetwork.DEFAULT_SEND_TIMEOUT.minusNanos(1));
    assertFalse(sent.isDone());
    net.advance(Duration.ofNanos(1));
    assertInstanceOf(TransportException.class, failure(sent));
    assertEquals(1, net.stats().dropped());
  }

  private static boolean succeeded(CompletableFuture<?> f) {
    return f.isDone() && !f.isCompletedExceptionally();
  }

  private static byte[] numbered(int i) {
    return new byte[] {(byte) (i >>> 8), (byte) i};
  }

  private static int number(byte[] b) {
    return (b[0] & 0xFF) << 8 | (b[1] & 0xFF);
  }

  private List<Integer> received(RecordingListener listener) {
    List<Integer> out = new ArrayList<>();
    listener.envelopes().forEach(r -> out.add(number(r.envelope())));
    return out;
  }

  @Test
  void send_totalLoss_nothingArrivesAndSenderFails() {
    Transport alice = start(ALICE, aliceIn);
    start(BOB, bobIn);
    net.setConditions(LinkConditions.reliable().withLoss(1.0));

    CompletableFuture<Void> sent = alice.send(BOB, new byte[] {1});
    net.runUntilIdle();

    assertTrue(bobIn.envelopes().isEmpty());
    assertInstanceOf(TransportException.class, failure(sent));
    assertEquals(new NetworkStats(1, 0, 1, 0, 0, 1), net.stats());
  }

  @Test
  void send_partialLoss_losesSomeAndDeliversTheRest() {
    Transport alice = start(ALICE, aliceIn);
    start(BOB, bobIn);
    net.setLinkConditions(ALICE, BOB, LinkConditions.reliable().withLoss(0.5));

    for (int i = 0; i < 200; i++) {
      alice.send(BOB, numbered(i));
    }
    net.runUntilIdle();

    NetworkStats stats = net.stats();
    assertTrue(stats.dropped() > 0 && stats.delivered() > 0, net.toString());
    assertEquals(200, stats.dropped() + stats.delivered(), net.toString());
    assertEquals(stats.delivered(), bobIn.envelopes().size());
    assertEquals(stats.delivered(), stats.acknowledged(), "acknowledgements are not lost on the reverse link");
  }

  @Test
  void send_lostAcknowledgement_deliveredButSenderFails() {
    Transport alice = start(ALICE, aliceIn);
    start(BOB, bobIn);
    net.setLinkConditions(BOB, ALICE, LinkConditions.reliable().withLoss(1.0));

    CompletableFuture<Void> sent = alice.send(BOB, new byte[] {1});
    net.runUntilIdle();

    assertEquals(1, bobIn.envelopes().size());
    assertInstanceOf(TransportException.class, failure(sent));
  }

  @Test
  void send_fullDuplication_deliversEveryEnvelopeTwiceAndAcknowledgesOnce() {
    Transport alice = start(ALICE, aliceIn);
    start(BOB, bobIn);
    net.setConditions(LinkConditions.reliable().withDuplication(1.0));

    List<CompletableFuture<Void>> sends = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      sends.add(alice.send(BOB, numbered(i)));
    }
    net.runUntilIdle();

    assertEquals(List.of(0, 0, 1, 1, 2, 2, 3, 3, 4, 4),
        received(bobIn).stream().sorted().toList());
    assertTrue(sends.stream().allMatch(SimulatedNetworkTest::succeeded));
    assertEquals(new NetworkStats(5, 10, 0, 5, 5, 0), net.stats());
  }

  @Test
  void send_reordering_changesArrivalOrder() {
    Transport alice = start(ALICE, aliceIn);
    start(BOB, bobIn);
    net.setConditions(LinkConditions.reliable().withReordering(1.0, Duration.ofSeconds(1)));

    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      alice.send(BOB, numbered(i));
      order.add(i);
    }
    net.runUntilIdle();

    List<Integer> got = received(bobIn);
    assertEquals(order, got.stream().sorted().toList(), "every envelope arrives once");
    assertNotEquals(order, got, "reordering left the order unchanged; " + net);
  }

  @Test
  void send_noReordering_keepsOrder() {
    Transport alice = start(ALICE, aliceIn);
    start(BOB, bobIn);

    for (int i = 0; i < 20; i++) {
      alice.send(BOB, numbered(i));
    }
    net.runUntilIdle();

    assertEquals(java.util.stream.IntStream.range(0, 20).boxed().toList(), received(bobIn));
  }

  @Test
  void send_uniformLatency_arrivesWithinBounds() {
    Transport alice = start(ALICE, aliceIn);
    start(BOB, bobIn);
    net.setConditions(LinkConditions.reliable()
        .withLatency(Latency.uniform(Duration.ofMillis(100), Duration.ofMillis(200))));

    alice.send(BOB, new byte[] {1});
    net.advance(Duration.ofMillis(100).minusNanos(1));
    assertTrue(bobIn.envelopes().isEmpty(), "arrived before the minimum latency");
    net.advance(Duration.ofMillis(100).plusNanos(1));
    assertEquals(1, bobIn.envelopes().size(), "not arrived by the maximum latency");
  }

  @Test
  void partition_blocksBothWaysAndReportsLostConnections() {
    Transport alice = start(ALICE, aliceIn);
    Transport bob = start(BOB, bobIn);
    net.runUntilIdle();

    net.partition(Set.of(ALICE));
    CompletableFuture<Void> toBob = alice.send(BOB, new byte[] {1});
    CompletableFuture<Void> toAlice = bob.send(ALICE, new byte[] {2});
    net.runUntilIdle();

    assertTrue(bobIn.envelopes().isEmpty() && aliceIn.envelopes().isEmpty());
    assertInstanceOf(TransportException.class, failure(toBob));
    assertInstanceOf(TransportException.class, failure(toAlice));
    assertEquals(List.of(BOB), aliceIn.lostEvents());
    assertEquals(List.of(ALICE), bobIn.lostEvents());
    assertTrue(alice.connectedPeers().isEmpty());
    assertFalse(net.canReach(ALICE, BOB));
  }

  @Test
  void heal_afterPartition_reconnectsAndDelivers() {
    Transport alice = start(ALICE, aliceIn);
    start(BOB, bobIn);
    net.partition(Set.of(ALICE), Set.of(BOB));
    net.runUntilIdle();

    net.heal();
    CompletableFuture<Void> sent = alice.send(BOB, new byte[] {3});
    net.runUntilIdle();

    assertTrue(succeeded(sent), net.toString());
    assertEquals(1, bobIn.envelopes().size());
    assertEquals(List.of(BOB, BOB), aliceIn.connectedEvents(), "connected at start and after heal");
    assertEquals(Set.of(BOB), alice.connectedPeers());
  }

  @Test
  void partition_whileInFlight_dropsTheCopy() {
    Transport alice = start(ALICE, aliceIn);
    start(BOB, bobIn);

    CompletableFuture<Void> sent = alice.send(BOB, new byte[] {1});
    net.advance(Duration.ofMillis(5));
    net.partition(Set.of(BOB));
    net.runUntilIdle();

    assertTrue(bobIn.envelopes().isEmpty());
    assertInstanceOf(TransportException.class, failure(sent));
    assertEquals(1, net.stats().dropped());
  }

  @Test
  void partition_peerInTwoSides_fails() {
    assertThrows(IllegalArgumentException.class,
        () -> net.partition(Set.of(ALICE), Set.of(ALICE, BOB)));
  }

  @Test
  void crash_recipientWithEnvelopeInFlight_envelopeLostAndSenderFails() {
    Transport alice = start(ALICE, aliceIn);
    start(BOB, bobIn);
    net.runUntilIdle();

    CompletableFuture<Void> sent = alice.send(BOB, new byte[] {1});
    net.advance(Duration.ofMillis(5));
    assertTrue(net.crash(BOB));
    net.runUntilIdle();

    assertTrue(bobIn.envelopes().isEmpty());
    assertInstanceOf(TransportException.class, failure(sent));
    assertEquals(List.of(BOB), aliceIn.lostEvents());
    assertEquals(1, net.stats().dropped());
    assertFalse(net.isOnline(BOB));
  }

  @Test
  void crash_sender_failsItsPendingSendsAndLosesItsCopies() {
    Transport alice = start(ALICE, aliceIn);
    start(BOB, bobIn);

    CompletableFuture<Void> sent = alice.send(BOB, new byte[] {1});
    net.crash(ALICE);
    net.runUntilIdle();

    assertInstanceOf(TransportException.class, failure(sent));
    assertTrue(bobIn.envelopes().isEmpty());
    assertInstanceOf(TransportException.class, failure(alice.send(BOB, new byte[] {2})));
  }

  @Test
  void crash_offlinePeer_returnsFalse() {
    assertFalse(net.crash(ALICE));
  }

  @Test
  void restart_afterCrash_newTransportReceivesAgain() {
    Transport alice = start(ALICE, aliceIn);
    Transport oldBob = start(BOB, bobIn);
    net.runUntilIdle();
    net.crash(BOB);
    net.runUntilIdle();

    RecordingListener newBobIn = new RecordingListener();
    Transport newBob = start(BOB, newBobIn);
    CompletableFuture<Void> sent = alice.send(BOB, new byte[] {1});
    net.runUntilIdle();

    assertTrue(succeeded(sent), net.toString());
    assertTrue(bobIn.envelopes().isEmpty(), "the crashed transport received an envelope");
    assertEquals(1, newBobIn.envelopes().size());
    assertEquals(List.of(BOB, BOB), aliceIn.connectedEvents());
    assertEquals(Set.of(ALICE), newBob.connectedPeers());
    assertTrue(oldBob.start().isCompletedExceptionally(), "a crashed transport started again");
  }

  @Test
  void start_peerAlreadyOnline_fails() {
    start(ALICE, aliceIn);
    Transport second = net.transportFactory().create(TestPeers.context(ALICE, new RecordingListener()));

    assertInstanceOf(TransportException.class, failure(second.start()));
  }

  @Test
  void send_listenerThrows_senderFailsBeforeTimeout() {
    Transport alice = start(ALICE, aliceIn);
    start(BOB, bobIn);
    bobIn.answer(e -> {
      throw new IllegalStateException("boom");
    });

    CompletableFuture<Void> sent = alice.send(BOB, new byte[] {1});
    net.advance(LinkConditions.DEFAULT_LATENCY.multipliedBy(2));

    assertInstanceOf(TransportException.class, failure(sent));
  }

  @Test
  void send_beforeStart_fails() {
    Transport alice = net.transportFactory().create(TestPeers.context(ALICE, aliceIn));

    assertInstanceOf(TransportException.class, failure(alice.send(BOB, new byte[] {1})));
    assertTrue(alice.listenAddresses().isEmpty());
  }

  @Test
  void send_tooLarge_fails() {
    Transport alice = start(ALICE, aliceIn);

    CompletableFuture<Void> sent =
        alice.send(BOB, new byte[SimulatedNetwork.MAX_ENVELOPE_LENGTH + 1]);

    assertInstanceOf(TransportException.class, failure(sent));
  }

  @Test
  void addPeerAddress_foreignAddress_fails() {
    Transport alice = start(ALICE, aliceIn);

    alice.addPeerAddress(BOB, "sim://" + BOB.toBase58());
    assertThrows(IllegalArgumentException.class,
        () -> alice.addPeerAddress(BOB, "/ip4/127.0.0.1/tcp/4001"));
  }

  @Test
  void clock_followsVirtualTime() {
    net.advance(Duration.ofSeconds(90));

    assertEquals(SimulatedNetwork.CLOCK_ORIGIN.plusSeconds(90), net.clock().instant());
    assertEquals(Duration.ofSeconds(90), net.now());
  }

  @Test
  void executor_runsTasksInSubmissionOrderWithoutMovingTime() {
    List<Integer> ran = new ArrayList<>();
    net.advance(Duration.ofSeconds(3));
    for (int i = 0; i < 5; i++) {
      int k = i;
      net.executor().execute(() -> ran.add(k));
    }

    assertTrue(ran.isEmpty(), "ran before time was advanced");
    net.runUntilIdle();

    assertEquals(List.of(0, 1, 2, 3, 4), ran);
    assertEquals(Duration.ofSeconds(3), net.now());
  }

  @Test
  void stats_mixedFaults_countEveryCopy() {
    Transport alice = start(ALICE, aliceIn);
    start(BOB, bobIn);
    net.setConditions(LinkConditions.reliable().withLoss(0.3).withDuplication(0.3)
        .withReordering(0.5, Duration.ofMillis(300)));

    for (int i = 0; i < 300; i++) {
      alice.send(BOB, numbered(i));
    }
    net.runUntilIdle();

    NetworkStats s = net.stats();
    assertEquals(300, s.sent());
    assertEquals(s.sent() + s.duplicated(), s.delivered() + s.dropped(), s.toString());
    assertEquals(s.sent(), s.acknowledged() + s.failed(), s.toString());
    assertEquals(s.delivered(), bobIn.envelopes().size());
    assertTrue(s.duplicated() > 0 && s.dropped() > 0 && s.failed() > 0, s.toString());
  }

  @Test
  void trace_sameSeed_identical() {
    assertEquals(runScenario(7), runScenario(7));
  }

  @Test
  void trace_otherSeed_differs() {
    assertNotEquals(runScenario(7), runScenario(8));
  }

  private static List<String> runScenario(long seed) {
    SimulatedNetwork n = new SimulatedNetwork(seed);
    List<PeerId> peers = TestPeers.peers(4);
    List<Transport> ts = new ArrayList<>();
    List<String> appEvents = new ArrayList<>();
    for (PeerId p : peers) {
      RecordingListener l = new RecordingListener().answer(e -> {
        appEvents.add(n.now() + " " + p + " got " + number(e));
        return CompletableFuture.completedFuture(null);
      });
      Transport t = n.transportFactory().create(TestPeers.context(p, l));
      t.start().join();
      ts.add(t);
    }
    n.setConditions(LinkConditions.reliable().withLoss(0.2).withDuplication(0.2)
        .withReordering(0.3, Duration.ofMillis(500))
        .withLatency(Latency.uniform(Duration.ofMillis(1), Duration.ofMillis(50))));
    for (int round = 0; round < 10; round++) {
      for (int i = 0; i < ts.size(); i++) {
        int k = round * 10 + i;
        ts.get(i).send(peers.get((i + 1 + round) % peers.size()), numbered(k))
            .whenComplete((ok, err) -> appEvents.add(n.now() + " send " + k + " " + (err == null)));
      }
      if (round == 3) {
        n.partition(Set.of(peers.get(0), peers.get(1)));
      }
      if (round == 6) {
        n.heal();
        n.crash(peers.get(2));
      }
      n.runFor(Duration.ofMillis(200));
    }
    n.runUntilIdle();
    List<String> all = new ArrayList<>(n.trace());
    all.addAll(appEvents);
    return all;
  }
}
