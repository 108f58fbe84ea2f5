package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.net.sim.Latency;
import io.spacepanda.internal.net.sim.LinkConditions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A message of the previous epoch that reaches a member only after the member applied the next
 * commit and restarted still opens: the envelope keys of retained past epochs survive a restart.
 */
class PastEpochAfterRestartTest {

  private long seed;
  private SimCluster cluster;

  @BeforeEach
  void setUp() {
    seed = Long.getLong("spacepanda.seed", System.nanoTime());
    cluster = new SimCluster(seed).withoutSync().withoutMailboxes();
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  private static Channel general(SimCluster.Node n, Space s) {
    return n.node().space(s.id()).orElseThrow().channel("general").orElseThrow();
  }

  @Test
  void lateMessageOfPreviousEpoch_reachingARestartedMember_isRead(@TempDir Path dir)
      throws Exception {
    SimCluster.Node alice = cluster.node("alice");
    SimCluster.Node bob = cluster.node("bob", dir.resolve("bob"));
    SimCluster.Node carol = cluster.node("carol");
    Space space = cluster.await(alice.node().createSpace("Team"));
    cluster.await(bob.node().join(cluster.await(space.createInvite())));
    cluster.await(carol.node().join(cluster.await(space.createInvite())));
    cluster.settle();

    // carol's message of the current epoch is slow to reach bob...
    cluster.net.setLinkConditions(carol.id(), bob.id(),
        LinkConditions.reliable().withLatency(Latency.fixed(Duration.ofSeconds(20))));
    general(carol, space).send("late");
    cluster.run(Duration.ofSeconds(1));
    // ...while alice's key rotation moves bob to the next epoch, and bob restarts.
    general(alice, space).rotateKeys();
    cluster.run(Duration.ofSeconds(5));
    bob.node().close();
    cluster.net.clearConditions();
    SimCluster.Node bobAgain = cluster.node("bob", dir.resolve("bob"));
    cluster.settle();
    cluster.settle();

    List<String> history = cluster.await(general(bobAgain, space).history(10, null)).stream()
        .map(Message::text).toList();
    assertTrue(history.contains("late"), "seed " + seed + ": " + history);
    assertEquals(0, bobAgain.node().droppedEnvelopes(), "seed " + seed);
  }
}
