package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.spi.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Sync of channel messages by per-sender high-water marks: a member that missed messages for
 * longer than the senders' delivery horizon gets them from any member that holds them.
 */
class ChannelSyncTest {

  private SimCluster cluster;
  private long seed;

  @BeforeEach
  void setUp() {
    seed = Long.getLong("spacepanda.seed", System.nanoTime());
    cluster = new SimCluster(seed);
    System.out.println("ChannelSyncTest seed=" + seed);
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  private static Channel general(SpacePanda node, Space space) {
    return node.space(space.id()).orElseThrow().channel("general").orElseThrow();
  }

  private SimCluster.Node node(String name) {
    return cluster.node(name, Storages.inMemory(), UnaryOperator.identity(), Jitter.none(),
        Duration.ofMinutes(2));
  }

  private List<String> history(SimCluster.Node n, Space space, int limit) {
    return cluster.await(general(n.node(), space).history(limit, null)).stream()
        .map(m -> m.sender() + ":" + m.senderSequence() + ":" + m.text()).toList();
  }

  @Test
  void partitionedBeyondTheHorizon_healed_getsEveryMessageOnceBySync() {
    String why = "seed " + seed;
    int n = 200;
    SimCluster.Node alice = node("alice");
    SimCluster.Node bob = node("bob");
    SimCluster.Node carol = node("carol");
    Space team = cluster.await(alice.node().createSpace("Team"));
    cluster.await(bob.node().join(cluster.await(team.createInvite())));
    cluster.settle();
    cluster.await(carol.node().join(cluster.await(team.createInvite())));
    cluster.settle();
    cluster.settle();
    assertEquals(3, general(carol.node(), team).members().size(), why);

    cluster.net.partition(Set.of(carol.id()), Set.of(alice.id(), bob.id()));
    List<CompletableFuture<Message>> sends = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      SimCluster.Node from = i % 2 == 0 ? alice : bob;
      sends.add(general(from.node(), team).send("m" + i));
      if (i % 20 == 19) {
        cluster.run(Duration.ofSeconds(1));
      }
    }
    cluster.run(Duration.ofMinutes(10));
    for (CompletableFuture<Message> f : sends) {
      assertTrue(f.isDone() && !f.isCompletedExceptionally(), why);
    }
    assertEquals(List.of(), carol.events().texts(), why);
    assertTrue(alice.events().deliveries.stream().anyMatch(e -> e.startsWith("failed")),
        "alice gave her copies to carol up; " + why);

    cluster.net.heal();
    // One summary round (at most 45 s with the 30 s default and its jitter) and the fetches.
    cluster.run(Duration.ofSeconds(50));

    List<String> received = carol.events().texts();
    assertEquals(n, received.size(), "every message exactly once; " + why);
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < n; i++) {
      expected.add("m" + i);
    }
    assertEquals(expected, new HashSet<>(received), why);
    List<String> reference = history(alice, team, n + 10);
    assertEquals(n, reference.size(), why);
    assertEquals(reference, history(bob, team, n + 10), why);
    assertEquals(reference, history(carol, team, n + 10), why);
  }

  /** Acknowledges, without sending, every envelope to the peer in {@code lose}. */
  private static UnaryOperator<Transport.Factory> losing(AtomicReference<PeerId> lose) {
    return losing(lose, new java.util.concurrent.atomic.AtomicInteger());
  }

  /** The same, counting the envelopes it lost. */
  private static UnaryOperator<Transport.Factory> losing(AtomicReference<PeerId> lose,
      java.util.concurrent.atomic.AtomicInteger lost) {
    return SimCluster.interceptSends((t, recipient, envelope) -> {
      if (recipient.equals(lose.get())) {
        lost.incrementAndGet();
        return CompletableFuture.completedFuture(null);
      }
      return t.send(recipient, envelope);
    });
  }

  @Test
  void copiesLostWhileConnected_gapFilledWithinOneSummaryRound() {
    String why = "seed " + seed;
    AtomicReference<PeerId> lose = new AtomicReference<>();
    java.util.concurrent.atomic.AtomicInteger lost = new java.util.concurrent.atomic.AtomicInteger();
    SimCluster.Node alice = cluster.node("alice", Storages.inMemory(), losing(lose, lost));
    SimCluster.Node bob = cluster.node("bob");
    Space team = cluster.await(alice.node().createSpace("Team"));
    cluster.await(bob.node().join(cluster.await(team.createInvite())));
    cluster.settle();

    lose.set(bob.id());
    for (int i = 0; i < 40; i++) {
      cluster.await(general(alice.node(), team).send("lost " + i));
    }
    lose.set(null);
    // Every copy to bob was acknowledged and lost. A periodic round may already have run while
    // they were sent (its time is seeded), its answers lost too; what bob shows comes by sync.
    assertTrue(lost.get() >= 40, "the copies were lost; " + why);

    // No reconnect: only a periodic round (30 s, jittered to at most 45 s) finds the gap.
    cluster.run(Duration.ofSeconds(46));
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      expected.add("lost " + i);
    }
    assertEquals(expected, bob.events().texts(), "every message once, in order; " + why);
    assertEquals(history(alice, team, 50), history(bob, team, 50), why);
  }
}
