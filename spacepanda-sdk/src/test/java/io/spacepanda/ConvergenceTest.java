package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spacepanda.internal.net.sim.LinkConditions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Every member's history converges to the same ordered list, with nothing lost or duplicated,
 * under loss, duplication and reordering (from the first join on) that is eventually healed,
 * while the owner's commits move the channel through new epochs (messages of an epoch may arrive
 * before its commit).
 *
 * <p>The owner commits twice, no more than the default past-epoch retention: a message delayed
 * past the retention window is not decryptable any more (DESIGN.md), and fetching it again is the
 * job of sync, which does not exist yet.
 */
class ConvergenceTest {

  @Property(tries = 20)
  void histories_converge_underLossDuplicationAndReordering(@ForAll long seed) {
    System.out.println("ConvergenceTest seed=" + seed);
    try (SimCluster cluster = new SimCluster(seed)) {
      List<SimCluster.Node> nodes = new ArrayList<>();
      SimCluster.Node owner = cluster.node("n0");
      cluster.net.setConditions(LinkConditions.reliable().withLoss(0.2).withDuplication(0.2)
          .withReordering(0.5, Duration.ofSeconds(3)));
      nodes.add(owner);
      Space space = cluster.await(owner.node().createSpace("Team"));
      for (int i = 1; i < 3; i++) {
        SimCluster.Node n = cluster.node("n" + i);
        String code = space.createInvite().join();
        java.util.concurrent.CompletableFuture<Space> f = n.node().join(code);
        cluster.run(Duration.ofMinutes(30));
        f.join();
        nodes.add(n);
      }
      cluster.run(Duration.ofMinutes(30));
      cluster.net.setConditions(LinkConditions.reliable().withLoss(0.2).withDuplication(0.2)
          .withReordering(0.5, Duration.ofSeconds(3)));
      Random rnd = new Random(seed);
      List<String> sent = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        SimCluster.Node n = nodes.get(rnd.nextInt(nodes.size()));
        String text = "m" + i + " from " + n.events().name;
        n.node().space(space.id()).orElseThrow().channel("general").orElseThrow().send(text).join();
        sent.add(text);
        if (i == 4 || i == 8) {
          owner.node().space(space.id()).orElseThrow().channel("general").orElseThrow()
              .rotateKeys().join();
        }
        cluster.run(Duration.ofMillis(rnd.nextInt(2000)));
      }
      cluster.net.clearConditions();
      cluster.run(Duration.ofHours(1));
      List<String> first = null;
      for (SimCluster.Node n : nodes) {
        List<String> h = n.node().space(space.id()).orElseThrow().channel("general").orElseThrow()
            .history(100, null).join().stream().map(Message::text).toList();
        assertEquals(sent.size(), h.size(), "seed " + seed + " " + n.events().name + " " + h);
        assertEquals(new java.util.HashSet<>(sent), new java.util.HashSet<>(h), "seed " + seed);
        if (first == null) {
          first = h;
        }
        assertEquals(first, h, "seed " + seed + ": order differs");
      }
    }
  }
}
