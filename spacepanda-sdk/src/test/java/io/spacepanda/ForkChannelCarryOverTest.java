package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.channel.GroupChannel;
import io.spacepanda.internal.node.Node;
import io.spacepanda.internal.node.NodeInternals;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Channels other than the default one, joined or created on a fork's losing branch, are carried
 * over to the winning branch (issue 11).
 *
 * <p>Bob (admin) created {@code ops}; Dave was removed from it. During a partition the owner's
 * side (Alice, Carol) rotates the keys of {@code ops} and of the control group; on Bob's side Erin
 * (admin) rotates {@code ops} first, then Bob adds Dave back, Bob rotates the control group and
 * creates {@code side}. Alice's commits win both forks (the control group's creator; for {@code
 * ops}, Alice ranks before Erin in the hashed order of the parent epoch, which the test arranges
 * by rotating keys first). After the heal Dave, who holds no state of the
 * epoch {@code ops} split from, asks Bob to add him again and replaces his copy; Alice and Carol
 * learn of {@code side} from Bob's re-sent space operation and join it. Everyone chats in both.
 * Bob's side also removed Carol from {@code general} (whose creator, Alice, wins that fork too):
 * each app's member lists, replayed from the listener's events, end equal to the groups' and
 * never show a member joining twice or leaving twice (the losing branch's events are undone).
 */
@org.junit.jupiter.api.extension.ExtendWith(io.spacepanda.logs.DumpLogsOnFailure.class)
class ForkChannelCarryOverTest {

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

  private static Channel channel(SimCluster.Node n, String spaceId, String name) {
    return n.node().space(spaceId).orElseThrow().channel(name).orElse(null);
  }

  private static Set<PeerId> ids(List<SimCluster.Node> ns) {
    return ns.stream().map(SimCluster.Node::id).collect(Collectors.toSet());
  }

  private static boolean converged(List<SimCluster.Node> members, String spaceId,
      String... names) {
    for (String name : names) {
      byte[] ref = null;
      for (SimCluster.Node m : members) {
        Channel c = channel(m, spaceId, name);
        GroupChannel gc = c == null ? null : NodeInternals.group(internal(m), c.id());
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
  void channelsJoinedOrCreatedOnTheLosingBranch_areCarriedOver() {
    SimCluster.Node alice = cluster.node("alice");
    SimCluster.Node bob = cluster.node("bob");
    SimCluster.Node carol = cluster.node("carol");
    SimCluster.Node erin = cluster.node("erin");
    SimCluster.Node dave = cluster.node("dave");
    Space space = quick(alice.node().createSpace("Team"));
    String spaceId = space.id();
    for (SimCluster.Node n : List.of(bob, carol, erin, dave)) {
      quick(n.node().join(quick(space.createInvite())));
    }
    quick(space.setRole(bob.id(), Role.ADMIN));
    quick(space.setRole(erin.id(), Role.ADMIN));
    cluster.settle();
    Channel ops = quick(bob.node().space(spaceId).orElseThrow().createChannel("ops"));
    cluster.settle();
    cluster.settle();
    List<SimCluster.Node> all = List.of(alice, bob, carol, erin, dave);
    for (SimCluster.Node m : all) {
      assertNotNull(channel(m, spaceId, "ops"), m.events().name + " lacks ops (seed " + seed
          + ")");
    }
    quick(ops.remove(dave.id()));
    cluster.settle();
    assertEquals(null, channel(dave, spaceId, "ops"), "Dave left ops (seed " + seed + ")");

    // The fork rule ranks Alice's and Erin's commits by a hash of the epoch: Bob rotates ops
    // until Alice's ranks first, so that her branch wins.
    for (int i = 0; i < 32 && !NodeInternals.ranksBefore(ops.id(),
        NodeInternals.group(internal(bob), ops.id()).group().epoch(), alice.id(), erin.id());
        i++) {
      quick(ops.rotateKeys());
      cluster.run(Duration.ofSeconds(10));
    }
    long parent = NodeInternals.group(internal(bob), ops.id()).group().epoch();
    for (SimCluster.Node m : List.of(alice, carol, erin)) {
      assertEquals(parent, NodeInternals.group(internal(m), ops.id()).group().epoch(),
          m.events().name + " is behind in ops (seed " + seed + ")");
    }

    // What each member's app was told from here on is replayed at the end (see appViews).
    String generalId = channel(alice, spaceId, "general").id();
    Map<String, Set<PeerId>> initial = new HashMap<>();
    Map<String, Integer> from = new HashMap<>();
    for (SimCluster.Node m : all) {
      from.put(m.events().name, m.events().members.size());
      for (String c : List.of(generalId, ops.id())) {
        GroupChannel gc = NodeInternals.group(internal(m), c);
        if (gc != null) {
          initial.put(m.events().name + "/" + c, gc.members());
        }
      }
    }

    cluster.net.partition(ids(List.of(alice, carol)), ids(List.of(bob, erin, dave)));
    // The winning side: the owner commits ops, general and the control group.
    quick(channel(alice, spaceId, "ops").rotateKeys());
    quick(channel(alice, spaceId, "general").rotateKeys());
    quick(NodeInternals.rotateKeys(internal(alice), spaceId));
    // The losing side removes Carol from general: its members are told, and told again when
    // they leave that branch (Carol is back until the removal, proposed again, is committed).
    quick(channel(bob, spaceId, "general").remove(carol.id()));
    // The losing side: Erin commits ops first, then Bob adds Dave back and creates "side".
    quick(channel(erin, spaceId, "ops").rotateKeys());
    cluster.run(Duration.ofSeconds(5));
    quick(ops.add(dave.id()));
    cluster.run(Duration.ofSeconds(20));
    Channel daveOps = channel(dave, spaceId, "ops");
    assertNotNull(daveOps, "Bob added Dave back on his side (seed " + seed + ")");
    quick(NodeInternals.rotateKeys(internal(bob), spaceId));
    quick(bob.node().space(spaceId).orElseThrow().createChannel("side"));
    cluster.run(Duration.ofSeconds(30));
    assertNotNull(channel(dave, spaceId, "side"), "Dave joins side (seed " + seed + ")");
    quick(daveOps.send("dave-ops-during"));
    cluster.run(Duration.ofSeconds(5));

    cluster.net.heal();
    for (int i = 0; i < 20 && !converged(all, spaceId, "ops", "side"); i++) {
      cluster.run(Duration.ofMinutes(1));
    }
    for (String name : List.of("ops", "side")) {
      byte[] ref = null;
      for (SimCluster.Node m : all) {
        Channel c = channel(m, spaceId, name);
        assertNotNull(c, m.events().name + " lacks " + name + " (seed " + seed + "); log "
            + m.events().log);
        GroupChannel gc = NodeInternals.group(internal(m), c.id());
        assertEquals(ids(all), gc.members(), m.events().name + " members of " + name
            + " (seed " + seed + "); log " + m.events().log);
        if (ref == null) {
          ref = gc.group().epochAuthenticator();
        } else {
          assertArrayEquals(ref, gc.group().epochAuthenticator(), m.events().name
              + " is on another branch of " + name + " (seed " + seed + "); log "
              + m.events().log);
        }
      }
    }
    assertTrue(erin.events().log.stream().anyMatch(l -> l.startsWith("fork resolved " + ops.id())),
        "Erin left her branch of ops (seed " + seed + "): " + erin.events().log);

    quick(channel(dave, spaceId, "ops").send("dave-ops-after"));
    quick(channel(alice, spaceId, "ops").send("alice-ops-after"));
    quick(channel(carol, spaceId, "side").send("carol-side-after"));
    cluster.settle();
    for (SimCluster.Node m : List.of(alice, carol)) {
      List<String> texts = m.events().texts();
      assertTrue(texts.contains("dave-ops-during") && texts.contains("dave-ops-after"),
          m.events().name + " got " + texts + " (seed " + seed + ")");
    }
    assertTrue(dave.events().texts().contains("alice-ops-after"),
        "Dave got " + dave.events().texts() + " (seed " + seed + ")");
    for (SimCluster.Node m : List.of(alice, bob, erin, dave)) {
      assertTrue(m.events().texts().contains("carol-side-after"),
          m.events().name + " got " + m.events().texts() + " (seed " + seed + ")");
    }
    for (SimCluster.Node m : all) {
      List<String> texts = m.events().texts();
      assertEquals(Set.copyOf(texts).size(), texts.size(),
          m.events().name + " showed a message twice: " + texts + " (seed " + seed + ")");
    }
    appViews(all, initial, from);
  }

  /**
   * Replays the member events each app got since the partition, from the members it held then:
   * no member is shown joining while shown in, or leaving while shown out, and the app's list ends
   * equal to the group's (the losing branch's events were undone on the move).
   */
  private void appViews(List<SimCluster.Node> all, Map<String, Set<PeerId>> initial,
      Map<String, Integer> from) {
    for (SimCluster.Node m : all) {
      List<String> events;
      synchronized (m.events().members) {
        events = List.copyOf(m.events().members.subList(from.get(m.events().name),
            m.events().members.size()));
      }
      for (Map.Entry<String, Set<PeerId>> e : initial.entrySet()) {
        if (!e.getKey().startsWith(m.events().name + "/")) {
          continue;
        }
        String c = e.getKey().substring(m.events().name.length() + 1);
        Set<PeerId> view = new HashSet<>(e.getValue());
        for (String ev : events) {
          String[] f = ev.split(" ");
          if (!f[1].equals(c)) {
            continue;
          }
          PeerId p = PeerId.parse(f[2]);
          boolean ok = f[0].equals("J") ? view.add(p) : view.remove(p);
          assertTrue(ok, m.events().name + "'s app was told " + ev + " against its list " + view
              + " (seed " + seed + "): " + events);
        }
        GroupChannel gc = NodeInternals.group(internal(m), c);
        if (gc == null) {
          // Removed (Carol from general, once the removal proposed again is committed): the
          // app was told so last.
          assertTrue(!view.contains(m.id()), m.events().name + " left " + c
              + " without being told (seed " + seed + "): " + events);
          continue;
        }
        assertEquals(gc.members(), view, m.events().name + "'s app list of " + c
            + " differs from the group's (seed " + seed + "): " + events);
      }
    }
  }
}
