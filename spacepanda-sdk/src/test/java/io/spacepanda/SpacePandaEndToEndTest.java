package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

class SpacePandaEndToEndTest {

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

  private static List<String> texts(List<Message> ms) {
    return ms.stream().map(Message::text).toList();
  }

  private Channel general(SimCluster.Node n, Space s) {
    return n.node().space(s.id()).orElseThrow().channel("general").orElseThrow();
  }

  @Test
  void twoNodes_exchangeMessagesBothWays() {
    SimCluster.Node alice = cluster.node("alice");
    SimCluster.Node bob = cluster.node("bob");
    Space space = cluster.await(alice.node().createSpace("Team"));
    String code = cluster.await(space.createInvite());
    Space joined = cluster.await(bob.node().join(code));
    assertEquals("Team", joined.name());
    assertEquals(java.util.Set.of(alice.id(), bob.id()), space.members(), "seed " + seed);

    Channel ag = general(alice, space);
    Channel bg = general(bob, space);
    cluster.await(ag.send("hi bob"));
    cluster.settle();
    cluster.await(bg.send("hi alice"));
    cluster.settle();

    List<String> expected = List.of("hi bob", "hi alice");
    assertEquals(expected, texts(cluster.await(ag.history(10, null))), "seed " + seed);
    assertEquals(expected, texts(cluster.await(bg.history(10, null))), "seed " + seed);
    assertEquals(List.of("hi alice"), alice.events().texts());
    assertEquals(List.of("hi bob"), bob.events().texts());
  }

  @Test
  void threeNodes_allReadEveryMessageInTheSameOrder() {
    SimCluster.Node alice = cluster.node("alice");
    SimCluster.Node bob = cluster.node("bob");
    SimCluster.Node carol = cluster.node("carol");
    Space space = cluster.await(alice.node().createSpace("Team"));
    cluster.await(bob.node().join(cluster.await(space.createInvite())));
    cluster.await(carol.node().join(cluster.await(space.createInvite())));
    cluster.settle();
    assertEquals(3, general(carol, space).members().size(), "seed " + seed);
    assertEquals(3, general(bob, space).members().size(), "seed " + seed);

    cluster.await(general(alice, space).send("a1"));
    cluster.await(general(bob, space).send("b1"));
    cluster.await(general(carol, space).send("c1"));
    cluster.settle();

    List<String> a = texts(cluster.await(general(alice, space).history(10, null)));
    List<String> b = texts(cluster.await(general(bob, space).history(10, null)));
    List<String> c = texts(cluster.await(general(carol, space).history(10, null)));
    assertEquals(3, a.size(), "seed " + seed + " " + a);
    assertEquals(a, b, "seed " + seed);
    assertEquals(a, c, "seed " + seed);
    assertTrue(a.containsAll(List.of("a1", "b1", "c1")));
  }
}
