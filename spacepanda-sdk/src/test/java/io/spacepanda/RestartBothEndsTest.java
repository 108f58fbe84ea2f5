package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The receiver stops mid-burst, the sender goes on and then stops too; both restart from their
 * SQLite directories, the receiver first: every message sent arrives exactly once (the simulated
 * counterpart of the multi-process kill -9 test in the examples module).
 */
class RestartBothEndsTest {

  @Test
  void receiverThenSenderStop_bothRestart_everythingArrivesOnce(@TempDir Path dir)
      throws Exception {
    long seed = Long.getLong("spacepanda.seed", System.nanoTime());
    System.out.println("RestartBothEndsTest seed=" + seed);
    try (SimCluster cluster = new SimCluster(seed)) {
      SimCluster.Node alice = cluster.node("alice", dir.resolve("alice"));
      SimCluster.Node bob = cluster.node("bob", dir.resolve("bob"));
      Space space = cluster.await(alice.node().createSpace("Team"));
      cluster.await(bob.node().join(cluster.await(space.createInvite())));
      cluster.settle();
      Channel general = space.channel("general").orElseThrow();
      List<String> sent = new ArrayList<>();
      for (int i = 0; i < 600; i++) {
        if (i == 300) {
          bob.node().close();
        }
        general.send("k" + i).join();
        sent.add("k" + i);
        cluster.run(java.time.Duration.ofMillis(50));
      }
      alice.node().close();
      SimCluster.Node bob2 = cluster.node("bob2", dir.resolve("bob"));
      SimCluster.Node alice2 = cluster.node("alice2", dir.resolve("alice"));
      cluster.run(java.time.Duration.ofMinutes(10));

      List<String> got = bob2.node().space(space.id()).orElseThrow().channel("general")
          .orElseThrow().history(1000, null).join().stream().map(Message::text).toList();
      assertEquals(new HashSet<>(sent), new HashSet<>(got), "seed " + seed + ", dropped by bob2: "
          + bob2.node().droppedEnvelopes());
      assertEquals(sent.size(), got.size(), "seed " + seed);
      alice2.node().close();
    }
  }
}
