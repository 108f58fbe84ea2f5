package io.spacepanda.internal.net.kad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.PeerId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lookups on a simulated network (virtual time, seeded): hop counts under churn, joining through a
 * bootstrap peer, idle maintenance traffic. The CI size is 1,000 nodes; the 10,000-node
 * run is {@code mvn -B -ntp -o -pl spacepanda-sdk verify -Dtest=KadLookupSimTest
 * -Dspacepanda.kad.simNodes=10000 -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@Timeout(value = 60, unit = TimeUnit.MINUTES) // the 10,000-node run takes ~15 min on a loaded 2-core machine
class KadLookupSimTest {

  static final long SEED = Long.getLong("spacepanda.kad.seed", 12);
  static final int NODES = Integer.getInteger("spacepanda.kad.simNodes", 1000);

  static int percentile(List<Integer> sorted, double p) {
    return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1));
  }

  @Test
  void findNode_convergedNetworkWithTenPercentChurn_allSucceedWithinHopBudget() {
    KadSim sim = new KadSim(SEED);
    sim.addNodes(NODES, KadConfig.defaults());
    sim.convergeTables(20);
    // 10% of the nodes offline at any time; before each batch 1% of all nodes swap.
    List<KadSim.Node> shuffled = new ArrayList<>(sim.nodes);
    Collections.shuffle(shuffled, sim.random);
    for (int i = 0; i < NODES / 10; i++) {
      shuffled.get(i).online = false;
    }
    int lookups = NODES >= 10_000 ? 2000 : 300;
    List<Integer> hops = new ArrayList<>();
    int failed = 0;
    long queries = 0;
    for (int batch = 0; batch < lookups / 20; batch++) {
      churn(sim, NODES / 100);
      List<CompletableFuture<KadDht.LookupResult>> running = new ArrayList<>();
      List<PeerId> targets = new ArrayList<>();
      for (int j = 0; j < 20; j++) {
        KadSim.Node from = randomOnline(sim);
        KadSim.Node to = randomOnline(sim);
        targets.add(to.id);
        running.add(from.dht.findPeer(to.id));
      }
      for (int j = 0; j < running.size(); j++) {
        KadDht.LookupResult r = sim.clock.await(running.get(j), 600_000);
        queries += r.queries();
        if (r.target() == null) {
          failed++;
        } else {
          assertEquals(targets.get(j), r.target().id());
          hops.add(r.hops());
        }
      }
      sim.clock.runFor(30_000);
    }
    Collections.sort(hops);
    int p50 = percentile(hops, 0.5);
    int p95 = percentile(hops, 0.95);
    System.out.printf("kad sim: %d nodes, seed %d, %d lookups, failed %d, hops p50 %d p95 %d max %d,"
        + " %.1f requests per lookup%n", NODES, SEED, lookups, failed, p50, p95, hops.get(hops.size() - 1),
        (double) queries / lookups);
    assertEquals(0, failed, "failed lookups (seed " + SEED + ")");
    assertTrue(p50 <= 2, "p50 hops " + p50 + " (seed " + SEED + ")");
    assertTrue(p95 <= 4, "p95 hops " + p95 + " (seed " + SEED + ")");
  }

  private static void churn(KadSim sim, int swaps) {
    for (int i = 0; i < swaps; i++) {
      KadSim.Node off = randomOnline(sim);
      KadSim.Node on;
      do {
        on = sim.nodes.get(sim.random.nextInt(sim.nodes.size()));
      } while (on.online);
      off.online = false;
      on.online = true;
      // A returning node looks itself up, as go and js do on start, so that its neighbours (which
      // dropped it when it timed out) learn it again.
      on.dht.findClosest(on.id.bytes());
    }
  }

  private static KadSim.Node randomOnline(KadSim sim) {
    while (true) {
      KadSim.Node n = sim.nodes.get(sim.random.nextInt(sim.nodes.size()));
      if (n.online) {
        return n;
      }
    }
  }

  @Test
  void join_throughOneBootstrapPeer_tablesFillAndLookupsSucceed() {
    KadSim sim = new KadSim(SEED + 1);
    List<KadSim.Node> nodes = sim.addNodes(80, KadConfig.defaults());
    KadSim.Node boot = nodes.get(0);
    for (int i = 1; i < nodes.size(); i++) {
      KadSim.Node n = nodes.get(i);
      n.dht.addPeers(List.of(boot.peer));
      sim.clock.await(n.dht.refresh(), 600_000);
    }
    // One more self lookup each, so that early joiners learn of later ones.
    for (KadSim.Node n : nodes) {
      sim.clock.await(n.dht.findClosest(n.id.bytes()), 600_000);
    }
    int min = Integer.MAX_VALUE;
    for (KadSim.Node n : nodes) {
      min = Math.min(min, n.dht.routingTableSize());
    }
    assertTrue(min >= 20, "smallest routing table " + min);
    for (int i = 0; i < 50; i++) {
      KadSim.Node a = nodes.get(sim.random.nextInt(nodes.size()));
      KadSim.Node b = nodes.get(sim.random.nextInt(nodes.size()));
      if (a == b) {
        continue;
      }
      KadDht.LookupResult r = sim.clock.await(a.dht.findPeer(b.id), 600_000);
      assertNotNull(r.target(), "lookup " + i + " failed (seed " + (SEED + 1) + ")");
    }
  }

  @Test
  void serviceProviders_announcedAndFound_likeOptedInMixes() {
    KadSim sim = new KadSim(SEED + 3);
    sim.addNodes(300, KadConfig.defaults());
    sim.convergeTables(20);
    byte[] key = Validators.serviceKey("mix/1");
    for (int i = 0; i < 5; i++) {
      sim.clock.await(sim.node(i * 50).dht.provide(key), 600_000);
    }
    List<KadPeer> found = sim.clock.await(sim.node(7).dht.findProviders(key), 600_000);
    assertEquals(5, found.size(), "providers found (seed " + (SEED + 3) + ")");
  }

  @Test
  void idleMaintenance_staysUnderOneKilobytePerSecondPerNode() {
    KadSim sim = new KadSim(SEED + 2);
    int n = Math.min(NODES, 300);
    sim.addNodes(n, KadConfig.defaults());
    sim.convergeTables(20);
    for (KadSim.Node node : sim.nodes) {
      node.dht.start();
    }
    // Let the first refresh rounds run, then measure 30 virtual minutes (three refresh periods).
    sim.clock.runFor(Duration.ofMinutes(12).toMillis());
    long before = 0;
    for (KadSim.Node node : sim.nodes) {
      before += node.bytesSent + node.bytesReceived;
    }
    long seconds = Duration.ofMinutes(30).toSeconds();
    sim.clock.runFor(seconds * 1000);
    long after = 0;
    long maxNode = 0;
    for (KadSim.Node node : sim.nodes) {
      after += node.bytesSent + node.bytesReceived;
      maxNode = Math.max(maxNode, node.bytesSent + node.bytesReceived);
    }
    double perNode = (double) (after - before) / n / seconds;
    System.out.printf("kad idle: %d nodes, %.0f bytes/s per node (sent + received) on average%n", n, perNode);
    assertTrue(perNode > 0, "refresh sent nothing");
    assertTrue(perNode <= 1024, "idle maintenance " + perNode + " B/s per node (seed " + (SEED + 2) + ")");
  }
}
