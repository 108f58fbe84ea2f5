package io.spacepanda.testkit;

import io.spacepanda.internal.net.sim.SimulatedNetwork;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One operation of an app's test schedule and when it happens, from the moment the schedule is
 * applied; generate lists of them with {@link NetworkArbitraries#schedules}.
 *
 * @param at when, in virtual time
 * @param op what the app does, in the app's own terms
 * @param <T> the app's operation type
 */
public record ScheduledOp<T>(Duration at, T op) {

  /** Checks the components. */
  public ScheduledOp {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(op, "op");
    if (at.isNegative()) {
      throw new IllegalArgumentException("negative time " + at);
    }
  }

  /**
   * Schedules every operation on the network's virtual time, counted from now; each runs through
   * {@code run} when the test advances time past it, operations at equal times in list order.
   *
   * @param network the network whose time drives the operations
   * @param ops the operations
   * @param run performs one operation, on the simulation thread
   * @param <T> the app's operation type
   */
  public static <T> void scheduleAll(SimulatedNetwork network, List<ScheduledOp<T>> ops,
      Consumer<? super T> run) {
    Objects.requireNonNull(network, "network");
    Objects.requireNonNull(run, "run");
    for (ScheduledOp<T> o : List.copyOf(ops)) {
      network.scheduler().schedule(o.at(), () -> run.accept(o.op()));
    }
  }
}
