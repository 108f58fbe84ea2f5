package io.spacepanda.testkit;

import io.spacepanda.internal.net.sim.LinkConditions;
import io.spacepanda.internal.net.sim.SimulatedNetwork;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One fault of a {@link FaultSchedule}, at a virtual time measured from when the schedule is
 * applied; nodes are named by their index in the list of peers given to {@link
 * FaultSchedule#applyTo}.
 */
public sealed interface Fault {

  /**
   * Returns when the fault happens, from the moment the schedule is applied.
   *
   * @return the offset in virtual time
   */
  Duration at();

  /**
   * Degrades every link of the network.
   *
   * @param at when
   * @param conditions the conditions of every link from then on
   */
  record Degrade(Duration at, LinkConditions conditions) implements Fault {
    /** Checks the components. */
    public Degrade {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(conditions, "conditions");
    }
  }

  /**
   * Degrades the links between two nodes, both ways.
   *
   * @param at when
   * @param a one node
   * @param b another node
   * @param conditions the conditions of both links from then on
   */
  record DegradeLink(Duration at, int a, int b, LinkConditions conditions) implements Fault {
    /** Checks the components. */
    public DegradeLink {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(conditions, "conditions");
      if (a == b) {
        throw new IllegalArgumentException("a link needs two nodes, got " + a + " twice");
      }
    }
  }

  /**
   * Splits the network; see {@link SimulatedNetwork#partition(java.util.Collection)}.
   *
   * @param at when
   * @param sides disjoint sets of nodes; nodes in none form one more side
   */
  record Partition(Duration at, List<Set<Integer>> sides) implements Fault {
    /** Checks and copies the components. */
    public Partition {
      Objects.requireNonNull(at, "at");
      sides = sides.stream().map(Set::copyOf).toList();
    }
  }

  /**
   * Ends any partition.
   *
   * @param at when
   */
  record Heal(Duration at) implements Fault {
    /** Checks the components. */
    public Heal {
      Objects.requireNonNull(at, "at");
    }
  }

  /**
   * Crashes a node; nothing happens if it is offline.
   *
   * @param at when
   * @param node the node
   */
  record Crash(Duration at, int node) implements Fault {
    /** Checks the components. */
    public Crash {
      Objects.requireNonNull(at, "at");
    }
  }

  /**
   * Restarts a node that is offline, through the schedule's restart callback; nothing happens if
   * it is online.
   *
   * @param at when
   * @param node the node
   */
  record Restart(Duration at, int node) implements Fault {
    /** Checks the components. */
    public Restart {
      Objects.requireNonNull(at, "at");
    }
  }
}
