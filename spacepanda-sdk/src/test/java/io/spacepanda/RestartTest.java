package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restarts from SQLite in the middle of an epoch: the node saves its ratchets after every message
 * and the epoch's snapshot only when the epoch changes, and nothing it sent or received is lost or
 * sent again with a used key.
 */
class RestartTest {

  @TempDir
  Path dir;

  private SimCluster cluster;
  private long seed;

  @BeforeEach
  void setUp() {
    seed = Long.getLong("spacepanda.seed", System.nanoTime());
    cluster = new SimCluster(seed);
    System.out.println("RestartTest seed=" + seed);
  }

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  private static List<String> texts(List<Message> ms) {
    return ms.stream().map(Message::text).toList();
  }

  private static Channel general(SpacePanda node, Space space) {
    return node.space(space.id()).orElseThrow().channel("general").orElseThrow();
  }

  @Test
  void restartBothMidEpoch_messagesAfterRestartArriveAndHistoryIsComplete() throws Exception {
    SimCluster.Node alice = cluster.node("alice", dir.resolve("alice"));
    SimCluster.Node bob = cluster.node("bob", dir.resolve("bob"));
    Space team = cluster.await(alice.node().createSpace("Team"));
    cluster.await(bob.node().join(cluster.await(team.createInvite())));
    cluster.settle();
    String why = "seed " + seed;

    cluster.await(general(bob.node(), team).send("bob: one"));
    cluster.await(general(bob.node(), team).send("bob: two"));
    cluster.await(general(alice.node(), team).send("alice: three"));
    cluster.settle();

    bob.node().close();
    SimCluster.Node bob2 = cluster.node("bob", dir.resolve("bob"));
    cluster.settle();
    cluster.await(general(bob2.node(), team).send("bob: four"));
    cluster.settle();

    alice.node().close();
    SimCluster.Node alice2 = cluster.node("alice", dir.resolve("alice"));
    cluster.settle();
    cluster.await(general(bob2.node(), team).send("bob: five"));
    cluster.await(general(alice2.node(), team).send("alice: six"));
    cluster.settle();

    List<String> all = List.of("bob: one", "bob: two", "alice: three", "bob: four", "bob: five",
        "alice: six");
    assertEquals(all, texts(cluster.await(general(alice2.node(), team).history(50, null))), why);
    assertEquals(all, texts(cluster.await(general(bob2.node(), team).history(50, null))), why);
  }
}
