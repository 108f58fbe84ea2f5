package io.spacepanda.testkit;

import io.spacepanda.PeerId;
import io.spacepanda.internal.net.sim.SimulatedNetwork;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * Faults to play on a {@link SimulatedNetwork}, all of which end by a deadline: at {@code healBy}
 * every link is reliable again, every partition healed and every crashed node restarted.
 *
 * <p>Generate schedules with {@link NetworkArbitraries#faultSchedules}; a property then applies
 * one to its network and checks that its app recovers once the faults are over.
 *
 * @param faults the faults, ordered by time, each before {@code healBy}
 * @param healBy when every fault ends, from the moment the schedule is applied
 */
public record FaultSchedule(List<Fault> faults, Duration healBy) {

  /**
   * Checks the schedule and orders its faults by time, keeping the given order for equal times.
   *
   * @throws IllegalArgumentException if a fault is not before {@code healBy} or is negative
   */
  public FaultSchedule {
    Objects.requireNonNull(healBy, "healBy");
    List<Fault> sorted = new ArrayList<>(faults);
    sorted.sort(Comparator.comparing(Fault::at));
    for (Fault f : sorted) {
      if (f.at().isNegative() || f.at().compareTo(healBy) >= 0) {
        throw new IllegalArgumentException(f + " is not in [0, " + healBy + ")");
      }
    }
    faults = List.copyOf(sorted);
  }

  /**
   * Returns a schedule without faults.
   *
   * @return the schedule
   */
  public static FaultSchedule none() {
    return new FaultSchedule(List.of(), Duration.ofNanos(1));
  }

  /**
   * Schedules every fault and the final heal on the network's virtual time, counted from now.
   *
   * @param network the network
   * @param nodes the peers the faults' node indices stand for
   * @param restart called with a node's index when the schedule restarts that node; it must
   *     create and start a new transport for the node's peer (and may rebuild the node's
   *     in-memory state, which a crash loses)
   * @throws IllegalArgumentException if a fault names a node index outside {@code nodes}
   */
  public void applyTo(SimulatedNetwork network, List<PeerId> nodes, IntConsumer restart) {
    Objects.requireNonNull(network, "network");
    Objects.requireNonNull(restart, "restart");
    List<PeerId> peers = List.copyOf(nodes);
    for (Fault f : faults) {
      checkNodes(f, peers.size());
      network.scheduler().schedule(f.at(), () -> play(f, network, peers, restart));
    }
    network.scheduler().schedule(healBy, () -> {
      network.clearConditions();
      network.heal();
      for (int i = 0; i < peers.size(); i++) {
        if (!network.isOnline(peers.get(i))) {
          restart.accept(i);
        }
      }
    });
  }

  private static void play(Fault f, SimulatedNetwork net, List<PeerId> peers, IntConsumer restart) {
    if (f instanceof Fault.Degrade d) {
      net.setConditions(d.conditions());
    } else if (f instanceof Fault.DegradeLink d) {
      net.setConditions(peers.get(d.a()), peers.get(d.b()), d.conditions());
    } else if (f instanceof Fault.Partition p) {
      List<Set<PeerId>> sides = new ArrayList<>();
      for (Set<Integer> side : p.sides()) {
        Set<PeerId> s = new HashSet<>();
        side.forEach(i -> s.add(peers.get(i)));
        sides.add(s);
      }
      net.partition(sides);
    } else if (f instanceof Fault.Heal) {
      net.heal();
    } else if (f instanceof Fault.Crash c) {
      net.crash(peers.get(c.node()));
    } else if (f instanceof Fault.Restart r && !net.isOnline(peers.get(r.node()))) {
      restart.accept(r.node());
    }
  }

  private static void checkNodes(Fault f, int count) {
    List<Integer> used = List.of();
    if (f instanceof Fault.DegradeLink d) {
      used = List.of(d.a(), d.b());
    } else if (f instanceof Fault.Partition p) {
      used = p.sides().stream().flatMap(Set::stream).toList();
    } else if (f instanceof Fault.Crash c) {
      used = List.of(c.node());
    } else if (f instanceof Fault.Restart r) {
      used = List.of(r.node());
    }
    for (int i : used) {
      if (i < 0 || i >= count) {
        throw new IllegalArgumentException(f + " names node " + i + " of " + count);
      }
    }
  }
}
