package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The QuickStart story on the simulated network with SQLite storage: three nodes, a space, an
 * invite joined by code, a channel, messages both ways, a member removed, and a restart of one node
 * that reads its history and keeps chatting.
 */
class QuickStartStoryTest {

  @TempDir
  Path dir;

  private SimCluster cluster;
  private long seed;

  @BeforeEach
  void setUp() {
    seed = Long.getLong("spacepanda.seed", System.nanoTime());
    cluster = new SimCluster(seed);
    System.out.println("QuickStartStoryTest seed=" + seed);
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  private static List<String> texts(List<Message> ms) {
    return ms.stream().map(Message::text).toList();
  }

  private static Channel channel(SpacePanda n, Space s, String name) {
    return n.space(s.id()).orElseThrow().channel(name).orElseThrow();
  }

  @Test
  void quickStart_restartFromSqlite_keepsHistoryAndChatting() throws Exception {
    SimCluster.Node alice = cluster.node("alice", dir.resolve("alice"));
    SimCluster.Node bob = cluster.node("bob", dir.resolve("bob"));
    SimCluster.Node carol = cluster.node("carol", dir.resolve("carol"));
    String why = "seed " + seed;

    Space team = cluster.await(alice.node().createSpace("Team"));
    cluster.await(bob.node().join(cluster.await(team.createInvite())));
    cluster.await(carol.node().join(cluster.await(team.createInvite())));
    Channel design = cluster.await(team.createChannel("design"));
    assertEquals(Role.OWNER, team.role(alice.id()).orElseThrow());
    cluster.settle();
    assertEquals(Set.of(alice.id(), bob.id(), carol.id()), design.members(), why);

    cluster.await(design.send("alice: first sketch"));
    cluster.settle();
    cluster.await(channel(bob.node(), team, "design").send("bob: looks good"));
    cluster.settle();
    cluster.await(channel(carol.node(), team, "design").send("carol: agreed"));
    cluster.settle();

    cluster.await(team.remove(carol.id()));
    cluster.settle();
    assertEquals(Set.of(alice.id(), bob.id()), design.members(), why);

    PeerId bobId = bob.id();
    bob.node().close();
    cluster.await(design.send("alice: while bob is away"));
    cluster.run(Duration.ofSeconds(5));

    SimCluster.Node bob2 = cluster.node("bob", dir.resolve("bob"));
    assertEquals(bobId, bob2.id(), why);
    cluster.run(Duration.ofMinutes(10));
    cluster.settle();
    Channel bobDesign = channel(bob2.node(), team, "design");
    assertEquals(List.of("alice: first sketch", "bob: looks good", "carol: agreed",
        "alice: while bob is away"), texts(cluster.await(bobDesign.history(50, null))), why);

    cluster.await(bobDesign.send("bob: back again"));
    cluster.settle();
    List<String> aliceView = texts(cluster.await(design.history(50, null)));
    assertEquals("bob: back again", aliceView.get(aliceView.size() - 1), why);
    assertTrue(carol.events().texts().stream().noneMatch(t -> t.contains("away") || t.contains("back")),
        why);
  }

  @Test
  void channelWelcome_arrivingWhileOffline_joinsAfterRestart() throws Exception {
    SimCluster.Node alice = cluster.node("alice", dir.resolve("alice"));
    SimCluster.Node bob = cluster.node("bob", dir.resolve("bob"));
    Space team = cluster.await(alice.node().createSpace("Team"));
    cluster.await(bob.node().join(cluster.await(team.createInvite())));
    cluster.settle();
    team.createChannel("design").join();
    cluster.run(Duration.ofMillis(25));
    bob.node().close();
    cluster.run(Duration.ofSeconds(5));
    SimCluster.Node bob2 = cluster.node("bob", dir.resolve("bob"));
    cluster.run(Duration.ofMinutes(5));
    Channel design = bob2.node().space(team.id()).orElseThrow().channel("design")
        .orElseThrow(() -> new AssertionError("seed " + seed + ": bob never joined design"));
    cluster.await(design.send("made it"));
    cluster.settle();
    assertEquals(List.of("made it"), texts(cluster.await(channel(alice.node(), team, "design")
        .history(10, null))), "seed " + seed);
  }
}
