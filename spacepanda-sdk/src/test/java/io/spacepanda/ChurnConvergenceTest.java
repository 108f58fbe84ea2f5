package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spacepanda.internal.net.sim.LinkConditions;
import io.spacepanda.spi.DeliveryState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Under churn, every message whose {@code send()} completed reaches every member exactly once, all
 * histories are identical, and every message ends DELIVERED: with the default 30 s jitter, loss,
 * duplication and reordering on every link, members going offline and coming back (partitions), and
 * members crashing right after one of their next few storage commits (so between a write and the
 * acknowledgement or send that follows it, among others) and restarting from what they had
 * committed, while others keep sending. The "disk" is a {@link CrashableStorage} (in memory, kept
 * across restarts), not SQLite, so that a seed costs about 0.2 s and 200 seeds of each test fit
 * the suite; SQLite under kill -9 is {@code MailboxKillTest}'s and {@code RestartBothEndsTest}'s.
 * Each seed has 4 members and 16 rounds of churn, then runs until every history is complete and
 * every own message DELIVERED (at most 2 hours) and 10 minutes more. No commit
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
  private static final int ROUNDS = 16;

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
   * Runs {@code spacepanda.churn.sync.seeds} seeds (default 200; {@code
   * mvn -pl spacepanda-sdk verify -Dtest=ChurnConvergenceTest -Dspacepanda.churn.sync.seeds=1000}
   * for the long run) with sync on and commits during the churn.
   */
  @Test
  void withSync_andCommits_everyCompletedSend_arrivesOnceEverywhere() throws Exception {
    int seeds = Integer.getInteger("spacepanda.churn.sync.seeds", 200);
    long base = Long.getLong("spacepanda.seed", System.nanoTime());
    System.out.println("ChurnConvergenceTest with sync, seeds " + base + " to "
        + (base + seeds - 1));
    for (long seed = base; seed < base + seeds; seed++) {
      run(seed, true);
    }
  }

  private void run(long seed, boolean sync) {
    try {
      runOnce(seed, sync);
    } catch (AssertionError | RuntimeException e) {
      System.out.println("ChurnConvergenceTest FAILED at seed " + seed + (sync ? " with sync" : "")
          + ": rerun with -Dspacepanda.seed=" + seed + " -Dspacepanda.churn"
          + (sync ? ".sync" : "") + ".seeds=1");
      throw e;
    }
  }

  private void runOnce(long seed, boolean sync) {
    SimCluster made = new SimCluster(seed);
    try (SimCluster cluster = sync ? made : made.withoutSync()) {
      Random rnd = new Random(seed);
      List<CrashableStorage> disks = new ArrayList<>();
      List<SimCluster.Node> nodes = new ArrayList<>();
      for (int i = 0; i < MEMBERS; i++) {
        disks.add(new CrashableStorage());
        nodes.add(node(cluster, "n" + i, disks.get(i)));
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
      for (int round = 0; round < ROUNDS; round++) {
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
          // Crash right after one of its next few commits (a received copy stored but not yet
          // acknowledged, a send stored but not yet on the wire, ...), or now if it stays idle.
          PeerId id = nodes.get(who).id();
          CrashableStorage disk = disks.get(who);
          disk.crashAfter(1 + rnd.nextInt(12), () -> cluster.net.crash(id));
          cluster.run(Duration.ofSeconds(rnd.nextInt(30)));
          if (!disk.crashed()) {
            cluster.net.crash(id);
          }
          nodes.get(who).node().close();
          cluster.run(Duration.ofSeconds(rnd.nextInt(120)));
          nodes.set(who, node(cluster, "n" + who + "'", disk));
        }
        cluster.run(Duration.ofSeconds(rnd.nextInt(60)));
      }
      cluster.net.heal();
      cluster.net.clearConditions();
      // Until everything arrived and every own message is DELIVERED (at most 2 hours), then
      // longer than the longest retry backoff, so that a late duplicate would still show.
      for (int minutes = 0; minutes < 120 && !settled(nodes, spaceId, sent.size());
          minutes += 5) {
        cluster.run(Duration.ofMinutes(5));
      }
      cluster.run(Duration.ofMinutes(10));

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
    }
  }

  private static boolean settled(List<SimCluster.Node> nodes, String spaceId, int count) {
    for (SimCluster.Node n : nodes) {
      List<Message> h = general(n, spaceId).history(count + 1, null).join();
      if (h.size() != count) {
        return false;
      }
      for (Message m : h) {
        if (m.sender().equals(n.id()) && m.deliveryState() != DeliveryState.DELIVERED) {
          return false;
        }
      }
    }
    return true;
  }

  /** A member on its crashable store with the default jitter (uniform up to 30 s). */
  private static SimCluster.Node node(SimCluster cluster, String name, CrashableStorage disk) {
    return cluster.node(name, disk.open(), java.util.function.UnaryOperator.identity(),
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
