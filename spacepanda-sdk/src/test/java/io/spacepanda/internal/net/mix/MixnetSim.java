package io.spacepanda.internal.net.mix;

import io.spacepanda.spi.Scheduler;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * A simulated mixnet with virtual time and seeded randomness: {@link MixNode}s joined by links
 * of 1 to 2 ms latency, and a global passive observer that records every packet on every link
 * (time, from, to, size). Single-threaded: everything runs in {@link #runFor}.
 */
final class MixnetSim {

  /**
   * One packet on one link, as the observer sees it: sent at {@code atNanos}, arrived at {@code
   * arrivedNanos} (filled in on arrival, -1 before), with an id the observer could also get by
   * watching the link.
   */
  static final class WireEvent {
    final long id;
    final long atNanos;
    final int from;
    final int to;
    final int size;
    long arrivedNanos = -1;

    WireEvent(long id, long atNanos, int from, int to, int size) {
      this.id = id;
      this.atNanos = atNanos;
      this.from = from;
      this.to = to;
      this.size = size;
    }
  }

  private record Event(long at, long seq, Runnable task) {}

  final long seed;
  final Random random;
  final MixDirectory.Static directory = new MixDirectory.Static();
  final List<MixNode> nodes = new ArrayList<>();
  final List<byte[]> addresses = new ArrayList<>();
  final List<WireEvent> wire = new ArrayList<>();
  private final Map<String, Integer> byAddress = new HashMap<>();
  private final PriorityQueue<Event> events = new PriorityQueue<>(
      (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
  private long now;
  private long seq;
  /** Called for every packet delivered to a node, before the node processes it. */
  BiConsumer<Integer, byte[]> onArrival = (n, p) -> {};

  MixnetSim(long seed) {
    this.seed = seed;
    this.random = new Random(seed);
  }

  static SecureRandom seeded(long seed) {
    try {
      SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
      r.setSeed(seed);
      return r;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  final Scheduler scheduler = (delay, task) -> {
    Event e = new Event(now + Math.max(0, delay.toNanos()), seq++, task);
    events.add(e);
    return () -> events.remove(e);
  };

  long nowNanos() {
    return now;
  }

  /**
   * Adds a node.
   *
   * @param config its settings
   * @param listed whether it is a mix others route through
   * @param receiver its receiver
   * @return its index
   */
  int add(MixConfig config, boolean listed, MixNode.Receiver receiver) {
    int index = nodes.size();
    byte[] address = ("node-" + index + "-".repeat(38)).substring(0, 38)
        .getBytes(StandardCharsets.US_ASCII);
    MixDirectory dir = listed ? directory : new MixDirectory() {
      @Override
      public List<MixInfo> mixes() {
        return directory.mixes();
      }
    };
    MixNode node = new MixNode(address, config, dir, (to, packet) -> send(index, to, packet),
        scheduler, seeded(seed * 1_000_003L + index), receiver);
    nodes.add(node);
    addresses.add(address);
    byAddress.put(new String(address, StandardCharsets.US_ASCII), index);
    node.start();
    return index;
  }

  private void send(int from, byte[] to, byte[] packet) {
    Integer target = byAddress.get(new String(to, StandardCharsets.US_ASCII));
    if (target == null) {
      return;
    }
    WireEvent w = new WireEvent(wire.size(), now, from, target, packet.length);
    wire.add(w);
    long latency = 1_000_000 + (long) (random.nextDouble() * 1_000_000);
    byte[] copy = packet.clone();
    scheduler.schedule(Duration.ofNanos(latency), () -> {
      w.arrivedNanos = now;
      onArrival.accept(target, copy);
      nodes.get(target).receive(copy);
    });
  }

  MixDirectory.MixInfo info(int node) {
    return nodes.get(node).info();
  }

  void runFor(Duration d) {
    long end = now + d.toNanos();
    while (!events.isEmpty() && events.peek().at <= end) {
      Event e = events.poll();
      now = e.at;
      e.task.run();
    }
    now = end;
  }

  /** A receiver that acknowledges at once and records what arrived. */
  static MixNode.Receiver recording(List<byte[]> into) {
    return body -> {
      into.add(body);
      return CompletableFuture.completedFuture(null);
    };
  }
}
