package io.spacepanda.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.PeerId;
import io.spacepanda.internal.net.sim.LinkConditions;
import io.spacepanda.internal.net.sim.SimulatedNetwork;
import io.spacepanda.spi.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class NetworkArbitrariesTest {

  private static final int NODES = 4;
  private static final Duration HEAL_BY = Duration.ofSeconds(20);

  @Provide
  Arbitrary<FaultSchedule> faults() {
    return NetworkArbitraries.faultSchedules(NODES, HEAL_BY);
  }

  @Provide
  Arbitrary<LinkConditions> conditions() {
    return NetworkArbitraries.linkConditions(FaultBounds.moderate());
  }

  @Provide
  Arbitrary<List<ScheduledOp<Integer>>> ops() {
    return NetworkArbitraries.schedules(Arbitraries.integers().between(0, 9), 30,
        Duration.ofSeconds(5));
  }

  @Property(tries = 200)
  void linkConditions_stayWithinBounds(@ForAll("conditions") LinkConditions c) {
    FaultBounds b = FaultBounds.moderate();
    assertTrue(c.loss() <= b.maxLoss() && c.duplication() <= b.maxDuplication()
        && c.reordering() <= b.maxReordering(), c.toString());
    assertTrue(c.reorderMaxDelay().compareTo(b.maxReorderDelay()) <= 0, c.toString());
    assertTrue(c.latency().max().compareTo(b.maxLatency()) <= 0, c.toString());
    assertTrue(c.latency().min().compareTo(c.latency().max()) <= 0, c.toString());
  }

  @Property(tries = 200)
  void faultSchedules_everyPartitionHealsAndEveryCrashRestartsBeforeDeadline(
      @ForAll("faults") FaultSchedule s) {
    assertEquals(HEAL_BY, s.healBy());
    long partitions = s.faults().stream().filter(f -> f instanceof Fault.Partition).count();
    long heals = s.faults().stream().filter(f -> f instanceof Fault.Heal).count();
    assertEquals(partitions, heals, s.toString());
    for (Fault f : s.faults()) {
      assertTrue(f.at().compareTo(HEAL_BY) < 0, f.toString());
      if (f instanceof Fault.Crash c) {
        assertTrue(s.faults().stream().anyMatch(r -> r instanceof Fault.Restart rr
            && rr.node() == c.node() && rr.at().compareTo(c.at()) >= 0), s.toString());
      }
      if (f instanceof Fault.Partition p) {
        Set<Integer> named = p.sides().stream().flatMap(Set::stream).collect(Collectors.toSet());
        assertEquals(IntStream.range(0, NODES).boxed().collect(Collectors.toSet()), named);
      }
    }
  }

  @Property(tries = 100)
  void schedules_orderedByTimeWithinHorizon(@ForAll("ops") List<ScheduledOp<Integer>> ops) {
    for (int i = 1; i < ops.size(); i++) {
      assertTrue(ops.get(i - 1).at().compareTo(ops.get(i).at()) <= 0, ops.toString());
    }
    assertTrue(ops.stream().allMatch(o -> o.at().compareTo(Duration.ofSeconds(5)) < 0));
  }

  @Property(tries = 50)
  void applyTo_afterDeadline_everyNodeOnlineAndReachable(@ForAll long seed,
      @ForAll("faults") FaultSchedule s) {
    SimulatedNetwork net = new SimulatedNetwork(seed);
    List<PeerId> peers = TestPeers.peers(NODES);
    List<Transport> transports = new ArrayList<>();
    for (PeerId p : peers) {
      Transport t = net.transportFactory().create(TestPeers.context(p, new RecordingListener()));
      t.start().join();
      transports.add(t);
    }
    s.applyTo(net, peers, i -> {
      Transport t = net.transportFactory()
          .create(TestPeers.context(peers.get(i), new RecordingListener()));
      t.start().join();
      transports.set(i, t);
    });

    net.runFor(HEAL_BY);

    for (PeerId a : peers) {
      for (PeerId b : peers) {
        assertTrue(a.equals(b) || net.canReach(a, b), net + " " + s);
      }
    }
    assertEquals(LinkConditions.reliable(), net.conditions(peers.get(0), peers.get(1)));
  }
}
