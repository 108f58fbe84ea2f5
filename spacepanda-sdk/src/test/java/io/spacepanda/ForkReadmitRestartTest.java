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
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The manager that admitted a newcomer on a fork's losing branch restarts before the heal (issue
 * 11): the admitted request is stored ({@code InviteDesk}, node record kind 4), so after the heal
 * the restarted manager still admits the newcomer again on the winning branch, and it drops the
 * stored request once the newcomer is safely in the branch it stays on.
 */
@org.junit.jupiter.api.extension.ExtendWith(io.spacepanda.logs.DumpLogsOnFailure.class)
class ForkReadmitRestartTest {

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

  private <T> T quick(CompletableFuture<T> f) {
    for (int i = 0; i < 600 && !f.isDone(); i++) {
      cluster.run(Duration.ofMillis(100));
    }
    assertTrue(f.isDone(), "not done after a minute (seed " + seed + ")");
    return f.join();
  }

  private static Channel general(SimCluster.Node n, String spaceId) {
    return n.node().space(spaceId).orElseThrow().channel("general").orElseThrow();
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
  void managerRestartsBetweenAdmittingAndTheHeal_theNewcomerIsStillAdmittedAgain() {
    SimCluster.Node alice = cluster.node("alice");
    CrashableStorage bobDisk = new CrashableStorage();
    SimCluster.Node bob = cluster.node("bob", bobDisk.open(), UnaryOperator.identity());
    SimCluster.Node carol = cluster.node("carol");
    SimCluster.Node rob = cluster.node("rob");
    SimCluster.Node dave = cluster.node("dave");
    Space space = quick(alice.node().createSpace("Team"));
    String spaceId = space.id();
    for (SimCluster.Node n : List.of(bob, carol, rob)) {
      quick(n.node().join(quick(space.createInvite())));
    }
    quick(space.setRole(bob.id(), Role.ADMIN));
    String code = quick(space.createInvite());
    cluster.settle();

    // Alice (owner) and Bob (admin) both commit the control group and general from one epoch.
    cluster.net.partition(ids(List.of(alice, carol, rob)), ids(List.of(bob, dave)));
    quick(space.remove(rob.id()));
    CompletableFuture<Space> joined = dave.node().join(code);
    cluster.run(Duration.ofMinutes(3));
    assertTrue(joined.isDone() && !joined.isCompletedExceptionally(),
        "Bob admits Dave on his side (seed " + seed + ")");
    quick(joined.join().channel("general").orElseThrow().send("dave-on-his-branch"));
    cluster.run(Duration.ofSeconds(10));
    assertEquals(Set.of(dave.id()), quick(NodeInternals.admittedJoiners(internal(bob), spaceId)),
        "seed " + seed);

    // Bob restarts before the heal: what he admitted must survive.
    bob.node().close();
    cluster.run(Duration.ofSeconds(5));
    SimCluster.Node bob2 = cluster.node("bob'", bobDisk.open(), UnaryOperator.identity());
    assertEquals(bob.id(), bob2.id(), "same identity after the restart");
    cluster.run(Duration.ofSeconds(10));
    assertEquals(Set.of(dave.id()), quick(NodeInternals.admittedJoiners(internal(bob2), spaceId)),
        "the restarted admin forgot whom it admitted (seed " + seed + ")");
    quick(general(carol, spaceId).send("carol-during"));

    cluster.net.heal();
    List<SimCluster.Node> members = List.of(alice, bob2, carol, dave);
    String generalId = general(alice, spaceId).id();
    for (int i = 0; i < 15 && !converged(members, spaceId, generalId); i++) {
      cluster.run(Duration.ofMinutes(1));
    }
    for (String g : List.of(spaceId, generalId)) {
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
    assertTrue(bob2.events().log.stream().anyMatch(l -> l.startsWith("fork resolved")),
        "Bob left his branch (seed " + seed + "): " + bob2.events().log);

    quick(general(dave, spaceId).send("dave-after"));
    quick(general(alice, spaceId).send("alice-after"));
    cluster.settle();
    for (SimCluster.Node m : List.of(alice, carol)) {
      List<String> texts = m.events().texts();
      assertTrue(texts.contains("dave-on-his-branch") && texts.contains("dave-after"),
          m.events().name + " got " + texts + " (seed " + seed + ")");
    }
    assertTrue(dave.events().texts().contains("alice-after"),
        "Dave got " + dave.events().texts() + " (seed " + seed + ")");

    // Once the newcomer is in the control group more than the kept fork states after its
    // re-admission, no fork can undo it: the stored request is dropped.
    assertEquals(Set.of(dave.id()), quick(NodeInternals.admittedJoiners(internal(bob2), spaceId)),
        "kept until no fork can undo the re-admission (seed " + seed + ")");
    for (int i = 0; i < 10; i++) {
      quick(NodeInternals.rotateKeys(internal(alice), spaceId));
    }
    cluster.settle();
    assertEquals(Set.of(), quick(NodeInternals.admittedJoiners(internal(bob2), spaceId)),
        "the admitted request outlived its use (seed " + seed + "): " + bob2.events().log);
  }
}
