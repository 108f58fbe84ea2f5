package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import io.spacepanda.logs.DumpLogsOnFailure;

/**
 * A member that joins a space while the creator of one of its channels is away for good still gets
 * into that channel: its request goes on to the space's other managers (issue 11).
 */
@ExtendWith(DumpLogsOnFailure.class)
class ChannelJoinFallbackTest {

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

  private Space spaceOf(SimCluster.Node n, Space s) {
    return n.node().space(s.id()).orElseThrow();
  }

  @Test
  void channelCreatorAway_aNewcomerIsAddedByAnAdmin_andChatsThere() {
    SimCluster.Node alice = cluster.node("alice");
    SimCluster.Node bob = cluster.node("bob");
    SimCluster.Node carol = cluster.node("carol");
    SimCluster.Node dave = cluster.node("dave");
    Space space = cluster.await(alice.node().createSpace("Team"));
    cluster.await(bob.node().join(cluster.await(space.createInvite())));
    cluster.await(carol.node().join(cluster.await(space.createInvite())));
    cluster.settle();
    cluster.await(space.setRole(bob.id(), Role.ADMIN));
    Channel random = cluster.await(space.createChannel("random"));
    cluster.settle();
    assertEquals(Set.of(alice.id(), bob.id(), carol.id()), random.members(), "seed " + seed);

    // alice, the owner and the channel's creator, is away for good
    cluster.net.partition(Set.of(alice.id()), Set.of(bob.id(), carol.id(), dave.id()));
    Space daveSpace = cluster.await(dave.node().join(cluster.await(spaceOf(bob, space).createInvite())));
    // a few sync rounds (30 s each by default): the request goes to alice first, then to bob
    cluster.run(Duration.ofMinutes(5));
    Channel daveRandom = daveSpace.channel("random").orElseThrow(() -> new AssertionError(
        "dave is not in #random; seed " + seed + "\n" + dave.events().log));
    assertEquals(Set.of(alice.id(), bob.id(), carol.id(), dave.id()),
        spaceOf(carol, space).channel("random").orElseThrow().members(), "seed " + seed);
    cluster.await(daveRandom.send("hello random"));
    cluster.await(spaceOf(carol, space).channel("random").orElseThrow().send("hi dave"));
    cluster.settle();
    assertTrue(bob.events().texts().contains("hello random"), "seed " + seed);
    assertTrue(carol.events().texts().contains("hello random"), "seed " + seed);
    assertTrue(dave.events().texts().contains("hi dave"), "seed " + seed);

    // alice comes back, follows the newer epoch of #random and reads what she missed
    // (her reconnection holds her commits back for the outbox's longest backoff, 5 min, so the
    // request dave queued for her before bob added him, arriving from a mailbox, adds nobody)
    cluster.net.heal();
    cluster.run(Duration.ofMinutes(6));
    assertEquals(Set.of(alice.id(), bob.id(), carol.id(), dave.id()), random.members(),
        "seed " + seed);
    assertTrue(alice.events().texts().contains("hello random"), "seed " + seed + ": "
        + alice.events().texts());
  }
}
