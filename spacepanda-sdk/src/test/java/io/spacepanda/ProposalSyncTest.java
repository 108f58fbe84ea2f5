package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.net.sim.LinkConditions;
import java.time.Duration;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pending proposals are synced: a proposal that never reaches the group's committer directly is
 * fetched from another member that holds it, and committed. Rerun a seed with {@code
 * -Dspacepanda.seed=S}.
 */
class ProposalSyncTest {

  private SimCluster cluster;
  private long seed;

  @BeforeEach
  void setUp() {
    seed = Long.getLong("spacepanda.seed", System.nanoTime());
    cluster = new SimCluster(seed);
    System.out.println("ProposalSyncTest seed=" + seed);
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  private static Channel general(SimCluster.Node n, Space s) {
    return n.node().space(s.id()).orElseThrow().channel("general").orElseThrow();
  }

  /**
   * Carol leaves #general: her removal proposal goes to every member, but every copy on the link
   * carol to alice (the owner, the only committer) is lost, and carol keeps no mailboxes, so the
   * only way it reaches alice is bob's copy through sync. Alice then commits it and carol is out
   * everywhere. Without proposal sync carol stays a member forever (no epoch change makes her
   * propose again, and it would be lost the same way).
   */
  @Test
  void proposalLostOnTheWayToTheCommitter_isFetchedFromAnotherMember_andCommitted() {
    String why = "seed " + seed;
    SimCluster.Node alice = cluster.node("alice", Storages.inMemory(), UnaryOperator.identity(),
        Jitter.none(), UnaryOperator.identity());
    SimCluster.Node bob = cluster.node("bob", Storages.inMemory(), UnaryOperator.identity(),
        Jitter.none(), UnaryOperator.identity());
    SimCluster.Node carol = cluster.node("carol", Storages.inMemory(), UnaryOperator.identity(),
        Jitter.none(), b -> b.mailboxHolders(0));
    Space team = cluster.await(alice.node().createSpace("Team"));
    cluster.await(bob.node().join(cluster.await(team.createInvite())));
    cluster.settle();
    cluster.await(carol.node().join(cluster.await(team.createInvite())));
    cluster.settle();
    assertEquals(Set.of(alice.id(), bob.id(), carol.id()), general(alice, team).members(), why);

    cluster.net.setLinkConditions(carol.id(), alice.id(),
        LinkConditions.reliable().withLoss(1.0));
    cluster.await(general(carol, team).leave());
    cluster.run(Duration.ofMinutes(5));

    assertEquals(Set.of(alice.id(), bob.id()), general(alice, team).members(),
        "alice committed carol's proposal she only got by sync; " + why);
    assertEquals(Set.of(alice.id(), bob.id()), general(bob, team).members(), why);
    assertFalse(carol.node().space(team.id()).orElseThrow().channel("general").isPresent()
        && general(carol, team).members().contains(carol.id()), "carol is out; " + why);
    assertTrue(team.members().contains(carol.id()), "still in the space; " + why);
  }
}
