package io.spacepanda.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.PeerId;
import io.spacepanda.internal.net.sim.LinkConditions;
import io.spacepanda.internal.net.sim.SimulatedNetwork;
import io.spacepanda.spi.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FaultScheduleTest {

  private static final Duration HEAL_BY = Duration.ofSeconds(10);

  private final SimulatedNetwork net = new SimulatedNetwork(5);
  private final List<PeerId> peers = TestPeers.peers(3);
  private final List<Integer> restarts = new ArrayList<>();

  private void startAll() {
    for (PeerId p : peers) {
      start(p);
    }
  }

  private void start(PeerId p) {
    Transport t = net.transportFactory().create(TestPeers.context(p, new RecordingListener()));
    t.start().join();
  }

  private void apply(FaultSchedule s) {
    s.applyTo(net, peers, i -> {
      restarts.add(i);
      start(peers.get(i));
    });
  }

  @Test
  void faults_orderedByTime() {
    FaultSchedule s = new FaultSchedule(List.of(new Fault.Heal(Duration.ofSeconds(2)),
        new Fault.Crash(Duration.ofSeconds(1), 0)), HEAL_BY);

    assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)),
        s.faults().stream().map(Fault::at).toList());
  }

  @Test
  void faultAtDeadline_fails() {
    assertThrows(IllegalArgumentException.class,
        () -> new FaultSchedule(List.of(new Fault.Heal(HEAL_BY)), HEAL_BY));
  }

  @Test
  void applyTo_unknownNodeIndex_fails() {
    FaultSchedule s = new FaultSchedule(List.of(new Fault.Crash(Duration.ZERO, 3)), HEAL_BY);

    assertThrows(IllegalArgumentException.class, () -> apply(s));
  }

  @Test
  void applyTo_crashThenRestart_nodeOfflineBetweenAndRestartedOnce() {
    startAll();
    apply(new FaultSchedule(List.of(new Fault.Crash(Duration.ofSeconds(1), 1),
        new Fault.Restart(Duration.ofSeconds(3), 1)), HEAL_BY));

    net.runFor(Duration.ofSeconds(2));
    assertFalse(net.isOnline(peers.get(1)));
    net.runFor(HEAL_BY);

    assertTrue(net.isOnline(peers.get(1)));
    assertEquals(List.of(1), restarts, "restarted once, not again at the deadline");
  }

  @Test
  void applyTo_crashWithoutRestart_restartedAtDeadline() {
    startAll();
    apply(new FaultSchedule(List.of(new Fault.Crash(Duration.ofSeconds(1), 2)), HEAL_BY));

    net.runFor(HEAL_BY.minusNanos(1));
    assertFalse(net.isOnline(peers.get(2)));
    net.runFor(Duration.ofNanos(1));

    assertEquals(List.of(2), restarts);
    assertTrue(net.isOnline(peers.get(2)));
  }

  @Test
  void applyTo_partitionAndDegrade_inForceUntilDeadline() {
    startAll();
    LinkConditions lossy = LinkConditions.reliable().withLoss(0.5);
    apply(new FaultSchedule(List.of(new Fault.Partition(Duration.ZERO, List.of(Set.of(0))),
        new Fault.Degrade(Duration.ZERO, lossy)), HEAL_BY));

    net.runFor(HEAL_BY.minusNanos(1));
    assertFalse(net.canReach(peers.get(0), peers.get(1)));
    assertTrue(net.canReach(peers.get(1), peers.get(2)));
    assertEquals(lossy, net.conditions(peers.get(1), peers.get(2)));
    net.runFor(Duration.ofNanos(1));

    assertTrue(net.canReach(peers.get(0), peers.get(1)));
    assertEquals(LinkConditions.reliable(), net.conditions(peers.get(1), peers.get(2)));
    assertTrue(restarts.isEmpty());
  }
}
