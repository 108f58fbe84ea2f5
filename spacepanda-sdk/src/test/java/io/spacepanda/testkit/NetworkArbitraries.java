package io.spacepanda.testkit;

import io.spacepanda.internal.net.sim.Latency;
import io.spacepanda.internal.net.sim.LinkConditions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * jqwik generators of network faults and operation schedules, for property tests of code that runs
 * on a {@link io.spacepanda.internal.net.sim.SimulatedNetwork}.
 *
 * <pre>{@code
 * @Property
 * void converges(@ForAll long seed,
 *     @ForAll("faults") FaultSchedule faults,
 *     @ForAll("ops") List<ScheduledOp<MyOp>> ops) { … }
 *
 * @Provide Arbitrary<FaultSchedule> faults() {
 *   return NetworkArbitraries.faultSchedules(3, Duration.ofSeconds(30));
 * }
 * @Provide Arbitrary<List<ScheduledOp<MyOp>>> ops() {
 *   return NetworkArbitraries.schedules(myOps(), 20, Duration.ofSeconds(30));
 * }
 * }</pre>
 *
 * <p>Times are whole milliseconds. Generated values shrink towards fewer faults, milder
 * conditions, earlier times and shorter schedules.
 */
public final class NetworkArbitraries {

  private static final int DEFAULT_MAX_FAULTS = 6;
  private static final int MAX_PARTITION_SIDES = 3;

  private NetworkArbitraries() {}

  /**
   * Generates times in {@code [0, horizon)}, in whole milliseconds.
   *
   * @param horizon the exclusive upper bound, at least one millisecond
   * @return the arbitrary
   * @throws IllegalArgumentException if the horizon is under one millisecond
   */
  public static Arbitrary<Duration> times(Duration horizon) {
    long max = horizon.toMillis() - 1;
    if (max < 0) {
      throw new IllegalArgumentException("horizon under 1 ms: " + horizon);
    }
    return Arbitraries.longs().between(0, max).map(Duration::ofMillis);
  }

  /**
   * Generates latencies up to {@code max}: fixed or uniform over a range.
   *
   * @param max the longest latency, at least one millisecond
   * @return the arbitrary
   */
  public static Arbitrary<Latency> latencies(Duration max) {
    Arbitrary<Duration> d = Arbitraries.longs().between(1, Math.max(1, max.toMillis()))
        .map(Duration::ofMillis);
    Arbitrary<Latency> fixed = d.map(Latency::fixed);
    Arbitrary<Latency> uniform = Combinators.combine(d, d).as((x, y) ->
        x.compareTo(y) <= 0 ? Latency.uniform(x, y) : Latency.uniform(y, x));
    return Arbitraries.oneOf(fixed, uniform);
  }

  /**
   * Generates link conditions within the bounds.
   *
   * @param bounds the worst conditions allowed
   * @return the arbitrary
   */
  public static Arbitrary<LinkConditions> linkConditions(FaultBounds bounds) {
    Objects.requireNonNull(bounds, "bounds");
    return Combinators.combine(
            latencies(bounds.maxLatency()),
            probability(bounds.maxLoss()),
            probability(bounds.maxDuplication()),
            probability(bounds.maxReordering()),
            Arbitraries.longs().between(0, bounds.maxReorderDelay().toMillis()))
        .as((latency, loss, dup, reorder, delayMs) ->
            new LinkConditions(latency, loss, dup, reorder, Duration.ofMillis(delayMs)));
  }

  /**
   * Generates fault schedules over {@code nodeCount} nodes with {@link FaultBounds#moderate()}
   * conditions and a few faults, all over by {@code healBy}.
   *
   * @param nodeCount how many nodes the schedule names, at least two
   * @param healBy when every fault ends
   * @return the arbitrary
   */
  public static Arbitrary<FaultSchedule> faultSchedules(int nodeCount, Duration healBy) {
    return faultSchedules(nodeCount, healBy, FaultBounds.moderate(), DEFAULT_MAX_FAULTS);
  }

  /**
   * Generates fault schedules over {@code nodeCount} nodes: network-wide and per-link degradation,
   * partitions (each healed at a later time), and crashes (each followed by a restart), all over
   * by {@code healBy}.
   *
   * @param nodeCount how many nodes the schedule names, at least two
   * @param healBy when every fault ends, at least one millisecond
   * @param bounds the worst link conditions
   * @param maxEpisodes the most faults, counting a partition and its heal, or a crash and its
   *     restart, as one
   * @return the arbitrary
   * @throws IllegalArgumentException if {@code nodeCount} is under two or {@code maxEpisodes}
   *     negative
   */
  public static Arbitrary<FaultSchedule> faultSchedules(int nodeCount, Duration healBy,
      FaultBounds bounds, int maxEpisodes) {
    if (nodeCount < 2) {
      throw new IllegalArgumentException("a network needs two nodes, got " + nodeCount);
    }
    if (maxEpisodes < 0) {
      throw new IllegalArgumentException("negative maxEpisodes " + maxEpisodes);
    }
    Arbitrary<List<Fault>> episode = Arbitraries.oneOf(
        degrade(healBy, bounds),
        degradeLink(nodeCount, healBy, bounds),
        partition(nodeCount, healBy),
        crash(nodeCount, healBy));
    return isolated(episode.list().ofMaxSize(maxEpisodes), episodes -> {
      List<Fault> all = new ArrayList<>();
      episodes.forEach(all::addAll);
      return new FaultSchedule(all, healBy);
    });
  }

  /**
   * Generates schedules of an app's own operations: up to {@code maxOps} operations, each at a
   * time in {@code [0, horizon)}, ordered by time.
   *
   * @param ops generates one operation
   * @param maxOps the most operations in a schedule
   * @param horizon the exclusive upper bound of the times
   * @param <T> the app's operation type
   * @return the arbitrary
   */
  public static <T> Arbitrary<List<ScheduledOp<T>>> schedules(Arbitrary<T> ops, int maxOps,
      Duration horizon) {
    Objects.requireNonNull(ops, "ops");
    Arbitrary<List<ScheduledOp<T>>> unsorted =
        Combinators.combine(times(horizon), ops).as(ScheduledOp<T>::new).list().ofMaxSize(maxOps);
    return isolated(unsorted, list -> {
      List<ScheduledOp<T>> sorted = new ArrayList<>(list);
      sorted.sort(Comparator.comparing(ScheduledOp::at));
      return List.copyOf(sorted);
    });
  }

  /**
   * Maps a list arbitrary so that shrinking never moves its elements into another parameter.
   *
   * <p>jqwik 1.9.2's shrink-and-grow step moves elements between two list-valued parameters
   * without checking that they come from the same element arbitrary, so a fault could land in an
   * operation schedule (a {@code ClassCastException} while shrinking). A combined value does not
   * take part in that step, so the list is combined with a constant before mapping.
   */
  private static <E, R> Arbitrary<R> isolated(Arbitrary<List<E>> list, Function<List<E>, R> map) {
    return Combinators.combine(list, Arbitraries.just(Boolean.TRUE)).as((l, unused) -> map.apply(l));
  }

  private static Arbitrary<Double> probability(double max) {
    return Arbitraries.doubles().between(0.0, max).ofScale(3);
  }

  private static Arbitrary<List<Fault>> degrade(Duration healBy, FaultBounds bounds) {
    return Combinators.combine(times(healBy), linkConditions(bounds))
        .as((at, c) -> List.of(new Fault.Degrade(at, c)));
  }

  private static Arbitrary<List<Fault>> degradeLink(int nodeCount, Duration healBy,
      FaultBounds bounds) {
    Arbitrary<Integer> node = Arbitraries.integers().between(0, nodeCount - 1);
    Arbitrary<Integer> offset = Arbitraries.integers().between(1, nodeCount - 1);
    return Combinators.combine(times(healBy), node, offset, linkConditions(bounds))
        .as((at, a, off, c) -> List.of(new Fault.DegradeLink(at, a, (a + off) % nodeCount, c)));
  }

  private static Arbitrary<List<Fault>> partition(int nodeCount, Duration healBy) {
    Arbitrary<List<Integer>> sideOfEach = Arbitraries.integers()
        .between(0, MAX_PARTITION_SIDES - 1).list().ofSize(nodeCount);
    return Combinators.combine(times(healBy), times(healBy), sideOfEach).as((t1, t2, sideOf) -> {
      Map<Integer, Set<Integer>> sides = new TreeMap<>();
      for (int i = 0; i < nodeCount; i++) {
        sides.computeIfAbsent(sideOf.get(i), k -> new TreeSet<>()).add(i);
      }
      Duration start = t1.compareTo(t2) <= 0 ? t1 : t2;
      Duration end = t1.compareTo(t2) <= 0 ? t2 : t1;
      return List.of(new Fault.Partition(start, List.copyOf(sides.values())), new Fault.Heal(end));
    });
  }

  private static Arbitrary<List<Fault>> crash(int nodeCount, Duration healBy) {
    Arbitrary<Integer> node = Arbitraries.integers().between(0, nodeCount - 1);
    return Combinators.combine(times(healBy), times(healBy), node).as((t1, t2, n) -> {
      Duration start = t1.compareTo(t2) <= 0 ? t1 : t2;
      Duration end = t1.compareTo(t2) <= 0 ? t2 : t1;
      return List.of(new Fault.Crash(start, n), new Fault.Restart(end, n));
    });
  }
}
