package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spacepanda.internal.net.sim.LinkConditions;
import io.spacepanda.spi.DeliveryState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Under churn, every message whose {@code send()} completed reaches every member exactly once, all
 * histories are identical, and every message ends DELIVERED: with the default 30 s jitter, loss,
 * duplication and reordering on every link, members going offline and coming back (partitions), and
 * members crashing and restarting from their SQLite directory while others keep sending. No commit
 * happens during the churn in the first test (epoch changes under churn are {@link
 * ConvergenceTest}'s), and sync is off: this is the delivery layer alone (outbox, holding,
 * acknowledgements), which must not need sync to lose nothing. The second test runs the same
 * churn with sync and mailboxes on (the defaults) and the owner rotating the channel's keys
 * (commits) now and then: sync must neither lose, duplicate nor reorder anything. Every assertion
 * names its seed; rerun one with {@code -Dspacepanda.seed=S -Dspacepanda.churn.seeds=1} (or
 * {@code -Dspacepanda.churn.sync.seeds=1}).
 */
class ChurnConvergenceTest {

  private static final int MEMBERS = 4;

  /**
   * Runs {@code spacepanda.churn.seeds} seeds (default 200; {@code mvn -pl spacepanda-sdk verify
   * -Dtest=ChurnConvergenceTest -Dspacepanda.churn.seeds=1000} for the long run), starting at
   * {@code spacepanda.seed} (default: the time), and reports the first seed that fails.
   */
  @Test
  void everyCompletedSend_arrivesOnceEverywhere_underChurn() throws Exception {
    int seeds = Integer.getInteger("spacepanda.churn.seeds", 200);
    long base = Long.getLong("spacepanda.seed", System.nanoTime());
    System.out.println("ChurnConvergenceTest seeds " + base + " to " + (base + seeds - 1));
    for (long seed = base; seed < base + seeds; seed++) {
      run(seed, false);
    }
  }

  /**
   * Runs {@code spacepanda.churn.sync.seeds} seeds (default 10, to keep the suite's time; {@code
   * mvn -pl spacepanda-sdk verify -Dtest=ChurnConvergenceTest -Dspacepanda.churn.sync.seeds=1000}
   * for the long run) with sync on and commits during the churn.
   */
  @Test
  void withSync_andCommits_everyCompletedSend_arrivesOnceEverywhere() throws Exception {
    int seeds = Integer.getInteger("spacepanda.churn.sync.seeds", 10);
    long base = Long.getLong("spacepanda.seed", System.nanoTime());
    System.out.println("ChurnConvergenceTest with sync, seeds " + base + " to "
        + (base + seeds - 1));
    for (long seed = base; seed < base + seeds; seed++) {
      run(seed, true);
    }
  }

  private void run(long seed, boolean sync) throws Exception {
    Path root = Files.createTempDirectory("spacepanda-churn");
    SimCluster made = new SimCluster(seed);
    try (SimCluster cluster = sync ? made : made.withoutSync()) {
      Random rnd = new Random(seed);
      List<Path> dirs = new ArrayList<>();
      List<SimCluster.Node> nodes = new ArrayList<>();
      for (int i = 0; i < MEMBERS; i++) {
        dirs.add(root.resolve("n" + i));
        nodes.add(node(cluster, "n" + i, dirs.get(i)));
      }
      Space space = cluster.await(nodes.get(0).node().createSpace("Team"));
      for (int i = 1; i < MEMBERS; i++) {
        cluster.await(nodes.get(i).node().join(cluster.await(space.createInvite())));
      }
      cluster.settle();
      String spaceId = space.id();

      cluster.net.setConditions(LinkConditions.reliable().withLoss(0.2).withDuplication(0.1)
          .withReordering(0.3, Duration.ofSeconds(5)));
      Set<String> sent = new HashSet<>();
      Set<Integer> away = new HashSet<>();
      for (int round = 0; round < 24; round++) {
        int who = rnd.nextInt(MEMBERS);
        int action = rnd.nextInt(10);
        if (sync && action == 9 && who == 0) {
          general(nodes.get(0), spaceId).rotateKeys().join();
        } else if (action < 6 && !away.contains(who)) {
          String text = "m" + round + " from n" + who;
          general(nodes.get(who), spaceId).send(text).join();
          sent.add(text);
        } else if (action < 8 && who != 0) {
          if (away.remove(who)) {
            cluster.net.heal();
            for (int a : away) {
              isolate(cluster, nodes, a);
            }
          } else {
            away.add(who);
            isolate(cluster, nodes, who);
          }
        } else if (who != 0 && !away.contains(who)) {
          nodes.get(who).node().close();
          cluster.run(Duration.ofSeconds(rnd.nextInt(120)));
          nodes.set(who, node(cluster, "n" + who + "'", dirs.get(who)));
        }
        cluster.run(Duration.ofSeconds(rnd.nextInt(60)));
      }
      cluster.net.heal();
      cluster.net.clearConditions();
      cluster.run(Duration.ofHours(2));

      List<String> first = null;
      for (SimCluster.Node n : nodes) {
        List<Message> h = general(n, spaceId).history(1000, null).join();
        List<String> texts = h.stream().map(Message::text).toList();
        assertEquals(sent.size(), texts.size(), "seed " + seed + " " + n.events().name + " " + texts);
        assertEquals(sent, new HashSet<>(texts), "seed " + seed);
        if (first == null) {
          first = texts;
        }
        assertEquals(first, texts, "seed " + seed + ": order differs");
        for (Message m : h) {
          if (m.sender().equals(n.id())) {
            assertEquals(DeliveryState.DELIVERED, m.deliveryState(),
                "seed " + seed + ": " + m.text() + " at " + n.events().name);
          }
        }
      }
    } finally {
      try (Stream<Path> s = Files.walk(root)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** A member with SQLite storage and the default jitter (uniform up to 30 s). */
  private static SimCluster.Node node(SimCluster cluster, String name, Path dir) throws Exception {
    return cluster.node(name, Storages.sqlite(dir), java.util.function.UnaryOperator.identity(),
        Jitter.uniform(Duration.ofSeconds(30)));
  }

  private static void isolate(SimCluster cluster, List<SimCluster.Node> nodes, int who) {
    Set<PeerId> rest = new HashSet<>();
    for (int i = 0; i < nodes.size(); i++) {
      if (i != who) {
        rest.add(nodes.get(i).id());
      }
    }
    cluster.net.partition(Set.of(nodes.get(who).id()), rest);
  }

  private static Channel general(SimCluster.Node n, String spaceId) {
    return n.node().space(spaceId).orElseThrow().channel("general").orElseThrow();
  }
}
