package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * A fallback admin holding a join request until its turn restarts before answering (issue 11):
 * the request is stored while held ({@code InviteDesk}, node record kind 3), so the restarted
 * admin still admits the newcomer at its turn while the owner stays away.
 */
class HeldJoinRestartTest {

  private SimCluster cluster;
  private long seed;

  @BeforeEach
  void setUp(TestInfo info) {
    seed = Long.getLong("spacepanda.seed", System.nanoTime());
    cluster = new SimCluster(seed);
    System.out.println(info.getDisplayName() + " seed=" + seed);
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  @Test
  void adminRestartsWhileHoldingAJoinRequest_theNewcomerStillGetsIn() {
    SimCluster.Node alice = cluster.node("alice");
    CrashableStorage bobDisk = new CrashableStorage();
    SimCluster.Node bob = cluster.node("bob", bobDisk.open(), UnaryOperator.identity());
    SimCluster.Node carol = cluster.node("carol");
    SimCluster.Node dave = cluster.node("dave");
    Space space = cluster.await(alice.node().createSpace("Team"));
    for (SimCluster.Node n : List.of(bob, carol)) {
      cluster.await(n.node().join(cluster.await(space.createInvite())));
    }
    cluster.await(space.setRole(bob.id(), Role.ADMIN));
    String code = cluster.await(space.createInvite());
    cluster.settle();

    // The owner is away; Bob (the code's fallback admin) holds Dave's request for one committer
    // timeout (30 s by default) and restarts before then.
    cluster.net.partition(Set.of(alice.id()), Set.of(bob.id(), carol.id(), dave.id()));
    CompletableFuture<Space> joined = dave.node().join(code);
    cluster.run(Duration.ofSeconds(10));
    assertTrue(!joined.isDone(), "Dave was admitted before Bob's turn (seed " + seed + ")");
    bob.node().close();
    cluster.run(Duration.ofSeconds(5));
    SimCluster.Node bob2 = cluster.node("bob'", bobDisk.open(), UnaryOperator.identity());
    assertEquals(bob.id(), bob2.id(), "same identity after the restart");

    for (int i = 0; i < 18 && !joined.isDone(); i++) {
      cluster.run(Duration.ofSeconds(10));
    }
    assertTrue(joined.isDone() && !joined.isCompletedExceptionally(),
        "the restarted admin forgot Dave's request (seed " + seed + "): " + bob2.events().log);
    Space daveSpace = joined.join();
    cluster.settle();
    assertEquals(Set.of(alice.id(), bob.id(), carol.id(), dave.id()),
        carol.node().space(space.id()).orElseThrow().members(), "seed " + seed);
    cluster.await(daveSpace.channel("general").orElseThrow().send("hi from dave"));
    cluster.settle();
    assertTrue(carol.events().texts().contains("hi from dave"), "seed " + seed);
    assertTrue(bob2.events().texts().contains("hi from dave"), "seed " + seed);
  }
}
