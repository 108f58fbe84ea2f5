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

  private static long responsesReceived(SimCluster.Node n) {
    return io.spacepanda.internal.node.NodeInternals.syncCounts(((NodeFront) n.node()).node())[3];
  }

  private static long responsesSent(SimCluster.Node n) {
    return io.spacepanda.internal.node.NodeInternals.syncCounts(((NodeFront) n.node()).node())[2];
  }

  /**
   * One member of ten misses 40 messages from four senders (every copy to it is acknowledged and
   * lost); then it is cut off for a moment, so that on the heal every other member reconnects and
   * exchanges summaries with it, and all hold what it lacks. It is served by one of them
   * (SyncServers): the responses it gets are bounded by the number of responses the messages
   * need (32 items each), not by the group's size (before, each of the nine served it: at least
   * nine responses).
   */
  @Test
  void laggingMemberOfTen_healed_isServedByOnePeerNotByAll() {
    String why = "seed " + seed;
    int n = 10;
    AtomicReference<PeerId> lose = new AtomicReference<>();
    List<SimCluster.Node> nodes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      nodes.add(cluster.node("m" + i, Storages.inMemory(), losing(lose)));
    }
    Space team = cluster.await(nodes.get(0).node().createSpace("Team"));
    for (SimCluster.Node m : nodes.subList(1, n)) {
      cluster.await(m.node().join(cluster.await(team.createInvite())));
      cluster.settle();
    }
    cluster.settle();
    SimCluster.Node lagging = nodes.get(n - 1);
    assertEquals(n, general(lagging.node(), team).members().size(), why);

    lose.set(lagging.id());
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < 40; i++) {
      String text = "p" + i;
      cluster.await(general(nodes.get(i % 4).node(), team).send(text));
      expected.add(text);
    }
    lose.set(null);
    Set<PeerId> rest = new HashSet<>();
    for (SimCluster.Node m : nodes.subList(0, n - 1)) {
      rest.add(m.id());
    }
    cluster.net.partition(Set.of(lagging.id()), rest);
    cluster.run(Duration.ofSeconds(5));
    long before = responsesReceived(lagging);
    long sentBefore = 0;
    for (SimCluster.Node m : nodes.subList(0, n - 1)) {
      sentBefore += responsesSent(m);
    }
    int early = lagging.events().texts().size();

    cluster.net.heal();
    cluster.run(Duration.ofSeconds(60));

    List<String> received = lagging.events().texts();
    assertEquals(40, received.size(), "every message exactly once; " + why + "; got "
        + new java.util.TreeSet<>(received));
    assertEquals(expected, new HashSet<>(received), why);
    long got = responsesReceived(lagging) - before;
    long sent = -sentBefore;
    for (SimCluster.Node m : nodes.subList(0, n - 1)) {
      sent += responsesSent(m);
    }
    System.out.println("ChannelSyncTest lagging member of " + n + ": " + early
        + " messages by sync before the heal; after it " + got + " sync responses received, "
        + sent + " sent by the others; " + why);
    // At most 40 messages lacking need two responses of at most 32; a server passed over after
    // a silent round, or a response to an earlier ask still in flight, may add a few. Nine would
    // mean that every member served it.
    assertTrue(got <= 5, got + " responses to one lagging member of " + n + "; " + why);
  }
}
