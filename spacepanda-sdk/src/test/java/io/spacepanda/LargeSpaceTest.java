package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A space grown past the size at which a join answer or Welcome no longer fits one direct
 * envelope: the owner sends it in fragments and every joiner gets in and reads the channel.
 */
class LargeSpaceTest {

  private static final int MEMBERS = 90;

  private SimCluster cluster;
  private long seed;

  @BeforeEach
  void setUp() {
    seed = Long.getLong("spacepanda.seed", System.nanoTime());
    cluster = new SimCluster(seed).withoutSync(); // the subject is joining, not sync
    System.out.println("LargeSpaceTest seed=" + seed);
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  @Test
  void join_ninetyMembers_everyJoinerGetsInAndReads() {
    SimCluster.Node owner = cluster.node("owner");
    Space space = cluster.await(owner.node().createSpace("Big"));
    List<SimCluster.Node> joiners = new ArrayList<>();
    for (int i = 1; i < MEMBERS; i++) {
      SimCluster.Node n = cluster.node("m" + i);
      cluster.await(n.node().join(cluster.await(space.createInvite())));
      joiners.add(n);
    }
    Channel general = space.channel("general").orElseThrow();
    assertEquals(MEMBERS, general.members().size(), "seed " + seed);

    cluster.await(general.send("hello all"));
    cluster.settle();
    SimCluster.Node last = joiners.get(joiners.size() - 1);
    Channel lastGeneral = last.node().space(space.id()).orElseThrow().channel("general")
        .orElseThrow();
    assertEquals(List.of("hello all"), cluster.await(lastGeneral.history(10, null)).stream()
        .map(Message::text).toList(), "seed " + seed);
  }
}
