package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.channel.GroupChannel;
import io.spacepanda.internal.node.Node;
import io.spacepanda.internal.node.NodeInternals;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * A newcomer admitted on the losing branch of a fork is not lost (issue 11): the owner removes a
 * member on one side of a partition while an admin admits a newcomer with the owner's invite on
 * the other; after the heal the owner's branch wins, the admin follows it and admits the newcomer
 * again with the KeyPackages of its request, and the newcomer leaves its branch for the winning
 * one, sends again what it said there, and chats.
 */
class ForkReadmitTest {

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

  private static Node internal(SimCluster.Node n) {
    return ((NodeFront) n.node()).node();
  }

  private Space spaceOf(SimCluster.Node n, Space s) {
    return n.node().space(s.id()).orElseThrow();
  }

  private Channel general(SimCluster.Node n, Space s) {
    return spaceOf(n, s).channel("general").orElseThrow();
  }

  private static Set<PeerId> ids(List<SimCluster.Node> ns) {
    return ns.stream().map(SimCluster.Node::id).collect(Collectors.toSet());
  }

  private static boolean converged(List<SimCluster.Node> members, String... groups) {
    for (String g : groups) {
      byte[] ref = null;
      for (SimCluster.Node m : members) {
        GroupChannel gc = NodeInternals.group(internal(m), g);
        if (gc == null || !ids(members).equals(gc.members())) {
          return false;
        }
        byte[] auth = gc.group().epochAuthenticator();
        if (ref != null && !java.util.Arrays.equals(ref, auth)) {
          return false;
        }
        ref = auth;
      }
    }
    return true;
  }

  @Test
  void newcomerAdmittedOnTheLosingBranch_isAdmittedAgain_andChats() {
    SimCluster.Node alice = cluster.node("alice");
    SimCluster.Node bob = cluster.node("bob");
    SimCluster.Node carol = cluster.node("carol");
    SimCluster.Node rob = cluster.node("rob");
    SimCluster.Node dave = cluster.node("dave");
    Space space = cluster.await(alice.node().createSpace("Team"));
    for (SimCluster.Node n : List.of(bob, carol, rob)) {
      cluster.await(n.node().join(cluster.await(space.createInvite())));
    }
    cluster.await(space.setRole(bob.id(), Role.ADMIN));
    String code = cluster.await(space.createInvite());
    cluster.settle();

    // Alice (owner) and Bob (admin) both commit the control group and general from one epoch.
    cluster.net.partition(ids(List.of(alice, carol, rob)), ids(List.of(bob, dave)));
    cluster.await(space.remove(rob.id()));
    CompletableFuture<Space> joined = dave.node().join(code);
    cluster.run(Duration.ofMinutes(3));
    assertTrue(joined.isDone() && !joined.isCompletedExceptionally(),
        "Bob admits Dave on his side (seed " + seed + ")");
    cluster.await(joined.join().channel("general").orElseThrow().send("dave-on-his-branch"));
    cluster.await(general(carol, space).send("carol-during"));

    cluster.net.heal();
    List<SimCluster.Node> members = List.of(alice, bob, carol, dave);
    String control = space.id();
    String generalId = general(alice, space).id();
    for (int i = 0; i < 15 && !converged(members, control, generalId); i++) {
      cluster.run(Duration.ofMinutes(1));
    }
    for (String g : List.of(control, generalId)) {
      byte[] ref = null;
      for (SimCluster.Node m : members) {
        GroupChannel gc = NodeInternals.group(internal(m), g);
        assertNotNull(gc, m.events().name + " lost group " + g + " (seed " + seed + ")");
        assertEquals(ids(members), gc.members(), m.events().name + " members of " + g
            + " (seed " + seed + "); log " + m.events().log);
        if (ref == null) {
          ref = gc.group().epochAuthenticator();
        } else {
          assertArrayEquals(ref, gc.group().epochAuthenticator(), m.events().name
              + " is on another branch of " + g + " (seed " + seed + "); log " + m.events().log);
        }
      }
    }
    assertTrue(bob.events().log.stream().anyMatch(l -> l.startsWith("fork resolved")),
        "Bob left his branch (seed " + seed + "): " + bob.events().log);

    cluster.await(general(dave, space).send("dave-after"));
    cluster.await(general(alice, space).send("alice-after"));
    cluster.settle();
    for (SimCluster.Node m : List.of(alice, carol)) {
      List<String> texts = m.events().texts();
      assertTrue(texts.contains("dave-on-his-branch") && texts.contains("dave-after"),
          m.events().name + " got " + texts + " (seed " + seed + ")");
    }
    assertTrue(bob.events().texts().contains("dave-after"), "seed " + seed);
    assertTrue(dave.events().texts().contains("alice-after"),
        "Dave got " + dave.events().texts() + " (seed " + seed + ")");
    for (SimCluster.Node m : members) {
      List<String> texts = m.events().texts();
      assertEquals(Set.copyOf(texts).size(), texts.size(),
          m.events().name + " showed a message twice: " + texts + " (seed " + seed + ")");
    }
  }
}
