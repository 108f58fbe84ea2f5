package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.spi.DeliveryState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delivery state that always ends: per-recipient progress is durable, so messages queued for an
 * offline peer are delivered after the sender restarts, resent in send order, and end DELIVERED;
 * a copy to a peer that stays away longer than the delivery horizon fails with one event.
 */
class DurableDeliveryTest {

  @TempDir
  Path dir;

  private SimCluster cluster;
  private long seed;

  @BeforeEach
  void setUp() {
    seed = Long.getLong("spacepanda.seed", System.nanoTime());
    cluster = new SimCluster(seed).withoutSync();
    System.out.println("DurableDeliveryTest seed=" + seed);
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  private static Channel general(SpacePanda node, Space space) {
    return node.space(space.id()).orElseThrow().channel("general").orElseThrow();
  }

  /** The distinct envelopes to one peer, in the order the transport first saw them. */
  private static List<String> firstSeen(List<SimCluster.Sent> sent, PeerId to) {
    List<String> order = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    synchronized (sent) {
      for (SimCluster.Sent s : sent) {
        String key = java.util.HexFormat.of().formatHex(s.envelope());
        if (s.to().equals(to) && seen.add(key)) {
          order.add(key);
        }
      }
    }
    return order;
  }

  @Test
  void queuedForAnOfflinePeer_senderRestarted_peerBack_allDeliveredOnceInSendOrder()
      throws Exception {
    int n = 200;
    String why = "seed " + seed;
    List<SimCluster.Sent> before = Collections.synchronizedList(new ArrayList<>());
    SimCluster.Node alice = cluster.node("alice", Storages.sqlite(dir.resolve("alice")),
        cluster.tap(before));
    SimCluster.Node bob = cluster.node("bob", dir.resolve("bob"));
    Space team = cluster.await(alice.node().createSpace("Team"));
    cluster.await(bob.node().join(cluster.await(team.createInvite())));
    cluster.settle();
    PeerId bobId = bob.id();

    bob.node().close();
    before.clear();
    List<CompletableFuture<Message>> sends = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      sends.add(general(alice.node(), team).send("m" + i));
    }
    cluster.run(Duration.ofMinutes(5));
    for (CompletableFuture<Message> f : sends) {
      assertTrue(f.isDone() && !f.isCompletedExceptionally(), why);
    }
    List<String> sendOrder = firstSeen(before, bobId);
    assertEquals(n, sendOrder.size(), why);
    alice.node().close();

    List<SimCluster.Sent> after = Collections.synchronizedList(new ArrayList<>());
    SimCluster.Node alice2 = cluster.node("alice", Storages.sqlite(dir.resolve("alice")),
        cluster.tap(after));
    List<Message> queued = cluster.await(general(alice2.node(), team).history(n, null));
    assertEquals(n, queued.size(), why);
    for (Message m : queued) {
      assertEquals(DeliveryState.QUEUED, m.deliveryState(), "before the peer is back; " + why);
    }
    SimCluster.Node bob2 = cluster.node("bob", dir.resolve("bob"));
    cluster.run(Duration.ofMinutes(10));

    List<String> expected = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      expected.add("m" + i);
    }
    List<String> received = bob2.events().texts();
    assertEquals(n, received.size(), "no duplicates at the receiver; " + why);
    assertEquals(new HashSet<>(expected), new HashSet<>(received), why);
    List<Integer> resendOrder = firstSeen(after, bobId).stream().map(sendOrder::indexOf)
        .toList();
    assertEquals(java.util.stream.IntStream.range(0, n).boxed().toList(), resendOrder,
        "resent in send order; " + why);
    List<Message> history = cluster.await(general(alice2.node(), team).history(n, null));
    assertEquals(expected, history.stream().map(Message::text).toList(), why);
    for (Message m : history) {
      assertEquals(DeliveryState.DELIVERED, m.deliveryState(), why);
    }
    assertEquals(expected,
        cluster.await(general(bob2.node(), team).history(n, null)).stream()
            .map(Message::text).toList(), why);
    assertTrue(alice2.events().deliveries.stream().noneMatch(e -> e.startsWith("failed")), why);
  }

  @Test
  void peerAwayLongerThanTheHorizon_messageFailsOnce() {
    String why = "seed " + seed;
    SimCluster.Node alice = cluster.node("alice", Storages.inMemory(), UnaryOperator.identity(),
        Jitter.none(), Duration.ofMinutes(10));
    SimCluster.Node bob = cluster.node("bob");
    Space team = cluster.await(alice.node().createSpace("Team"));
    cluster.await(bob.node().join(cluster.await(team.createInvite())));
    cluster.settle();

    bob.node().close();
    Message m = cluster.await(general(alice.node(), team).send("too late"));
    cluster.run(Duration.ofMinutes(8));
    assertEquals(List.of(), alice.events().deliveries, "retries are no failures; " + why);
    assertEquals(DeliveryState.QUEUED, cluster.await(general(alice.node(), team)
        .history(1, null)).get(0).deliveryState(), why);

    cluster.run(Duration.ofHours(1));
    assertEquals(List.of("failed " + m.id() + " " + bob.id()), alice.events().deliveries, why);
    assertEquals(DeliveryState.FAILED, cluster.await(general(alice.node(), team)
        .history(1, null)).get(0).deliveryState(), why);
  }
}
