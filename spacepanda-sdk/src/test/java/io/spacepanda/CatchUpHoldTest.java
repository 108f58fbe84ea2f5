package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spacepanda.spi.DeliveryState;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A member coming back after missing several commits gets the commits straight from the committer's
 * outbox, and an older epoch's message only through sync: it must not apply the commits back to
 * back and forget that epoch's keys before sync brought the message (which was then dropped as
 * past its epoch, yet counted as held, so its sender saw it DELIVERED). Found by {@code
 * ChurnConvergenceTest} at seed 55210885481749.
 */
class CatchUpHoldTest {

  private SimCluster cluster;
  private long seed;

  @BeforeEach
  void setUp() {
    seed = Long.getLong("spacepanda.seed", System.nanoTime());
    cluster = new SimCluster(seed).withoutMailboxes();
    System.out.println("CatchUpHoldTest seed=" + seed);
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  /** Jittered like the default: the first copy of anything (a sync summary too) waits. */
  private SimCluster.Node node(String name) {
    return cluster.node(name, Storages.inMemory(), java.util.function.UnaryOperator.identity(),
        Jitter.uniform(Duration.ofSeconds(30)));
  }

  private static Channel general(SimCluster.Node n, Space space) {
    return n.node().space(space.id()).orElseThrow().channel("general").orElseThrow();
  }

  @Test
  void commitsMissedWhileAway_doNotOutrunAnOlderEpochsMessageFromSync() {
    String why = "seed " + seed;
    SimCluster.Node alice = node("alice");
    SimCluster.Node bob = node("bob");
    SimCluster.Node carol = node("carol");
    Space team = cluster.await(alice.node().createSpace("Team"));
    cluster.await(bob.node().join(cluster.await(team.createInvite())));
    cluster.settle();
    cluster.await(carol.node().join(cluster.await(team.createInvite())));
    cluster.settle();

    // Bob away sends a message of this epoch; Carol gets the next epoch's commit, not it.
    cluster.net.partition(Set.of(bob.id()), Set.of(alice.id(), carol.id()));
    cluster.await(general(bob, team).send("old epoch"));
    cluster.await(general(alice, team).rotateKeys());
    cluster.run(Duration.ofMinutes(1));
    // Carol away; Bob's message reaches Alice; two more key rotations.
    cluster.net.partition(Set.of(carol.id()), Set.of(alice.id(), bob.id()));
    cluster.run(Duration.ofMinutes(1));
    for (int i = 0; i < 2; i++) {
      cluster.await(general(alice, team).rotateKeys());
      cluster.run(Duration.ofMinutes(1));
    }
    assertEquals(List.of("old epoch"), alice.events().texts(), why);
    assertEquals(List.of(), carol.events().texts(), why);
    // Carol comes back to Alice only: Alice's copies of the two commits go at once, Bob's
    // message only comes by sync (Bob is away again, so his own copy cannot race). Applying both
    // commits back to back would forget the keys of the message's epoch.
    cluster.net.partition(Set.of(bob.id()), Set.of(alice.id(), carol.id()));
    cluster.run(Duration.ofMinutes(3));
    assertEquals(List.of("old epoch"), carol.events().texts(), why);

    cluster.net.heal();
    cluster.run(Duration.ofMinutes(10));
    assertEquals(List.of("old epoch"), carol.events().texts(), "exactly once; " + why);
    List<Message> sent = cluster.await(general(bob, team).history(10, null));
    assertEquals(1, sent.size(), why);
    assertEquals(DeliveryState.DELIVERED, sent.get(0).deliveryState(), why);
  }
}
