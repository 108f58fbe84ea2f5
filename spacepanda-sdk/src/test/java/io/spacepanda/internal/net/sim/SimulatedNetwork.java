package io.spacepanda.internal.net.sim;

import io.spacepanda.PeerId;
import io.spacepanda.spi.Scheduler;
import io.spacepanda.spi.Transport;
import io.spacepanda.spi.TransportException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An in-memory network of SpacePanda nodes on virtual time, with seeded faults: the entry point for
 * tests of the SDK and of apps built on it.
 *
 * <p>A test creates one network, gives every node {@link #transportFactory()} as its transport and
 * {@link #scheduler()}, {@link #executor()}, {@link #clock()} and {@link #newRandom()} as its time,
 * callback thread and randomness, then
 * drives everything with {@link #advance(Duration)}, {@link #runFor(Duration)} or {@link
 * #runUntilIdle()}:
 *
 * <pre>{@code
 * SimulatedNetwork net = new SimulatedNetwork(seed);
 * Transport a = net.transportFactory().create(contextOfAlice);
 * Transport b = net.transportFactory().create(contextOfBob);
 * a.start(); b.start();
 * net.setConditions(LinkConditions.reliable().withLoss(0.2));
 * CompletableFuture<Void> sent = a.send(bob, bytes);
 * net.runFor(Duration.ofSeconds(1));            // bob's listener runs here, then the ack
 * net.partition(Set.of(alice));                 // alice alone on one side
 * net.heal();
 * net.crash(bob);                               // bob's transport is dead; restart = create anew
 * }</pre>
 *
 * <p>Model: a started transport is online at {@code sim://<peerId>} and reaches every other online
 * peer on its side of the current partition (the network is its own perfect directory, so {@link
 * Transport#addPeerAddress} is only checked, never needed). {@code send} puts one copy (two when
 * duplicated) on the link from sender to recipient; after the link's latency (plus any reordering
 * delay) the copy reaches the recipient's listener, and when the listener's future completes an
 * acknowledgement travels back on the reverse link and completes the sender's future. A listener
 * that throws or whose future fails sends a refusal instead, which fails the sender's future. A
 * copy or acknowledgement that is lost, or meets an unknown, offline, partitioned or crashed peer,
 * is dropped; the sender's future then fails with a {@link TransportException} after {@link
 * #sendTimeout()}. A copy whose sender or recipient went down while it travelled is dropped.
 *
 * <p>Determinism: all randomness comes from one generator seeded by the constructor, and events due
 * at the same instant run in the order they were scheduled, so a single-threaded test replays
 * exactly from its seed; {@link #trace()} shows the events for comparison.
 *
 * <p>Threading: nothing runs until a thread advances virtual time; every listener callback,
 * acknowledgement and scheduled task then runs on that thread. Sending, starting, closing and fault
 * injection are thread-safe, but calls from other threads make the order, and so the trace, depend
 * on thread timing. Virtual time cannot be advanced from inside a callback.
 */
public final class SimulatedNetwork {

  /** The address scheme of simulated transports: {@code sim://<base58 peer id>}. */
  public static final String ADDRESS_SCHEME = "sim://";

  /** The largest envelope a simulated transport accepts, in bytes. */
  public static final int MAX_ENVELOPE_LENGTH = 1 << 20;

  /** How long a sender waits for an acknowledgement unless {@link #setSendTimeout} says otherwise. */
  public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(10);

  /** The instant {@link #clock()} shows at virtual time zero. */
  public static final Instant CLOCK_ORIGIN = Instant.parse("2026-01-01T00:00:00Z");

  /** How many events {@link #trace()} keeps; older ones are forgotten. */
  public static final int MAX_TRACE_EVENTS = 100_000;

  private static final long MAX_IDLE_TASKS = 10_000_000L;
  private static final Logger LOG = LoggerFactory.getLogger(SimulatedNetwork.class);

  private final long seed;
  private final VirtualTimeScheduler loop = new VirtualTimeScheduler();
  private final SplittableRandom random;
  private final Clock clock;

  private final TreeMap<PeerId, SimulatedTransport> online = new TreeMap<>();
  private final Set<PeerId> known = new HashSet<>();
  private final Map<PeerId, Integer> sides = new HashMap<>();
  private final Map<List<PeerId>, LinkConditions> linkConditions = new HashMap<>();
  private final ArrayDeque<String> trace = new ArrayDeque<>();
  private LinkConditions defaultConditions = LinkConditions.reliable();
  private Duration sendTimeout = DEFAULT_SEND_TIMEOUT;
  private long nextSendId;

  private long sent;
  private long delivered;
  private long dropped;
  private long duplicated;
  private long acknowledged;
  private long failed;

  /**
   * Creates an empty network at virtual time zero.
   *
   * @param seed the seed of every random choice the network makes; print it when a test fails
   */
  public SimulatedNetwork(long seed) {
    this.seed = seed;
    this.random = new SplittableRandom(seed);
    this.clock = new VirtualClock();
  }

  /**
   * Returns the seed this network was created with.
   *
   * @return the seed
   */
  public long seed() {
    return seed;
  }

  /**
   * Returns the factory that creates a simulated transport for a node on this network.
   *
   * <p>Each call of {@link Transport.Factory#create} returns a new transport that goes online at
   * {@link Transport#start()}; a node restarts after a {@link #crash} or {@link Transport#close}
   * by creating and starting a new transport for the same peer.
   *
   * @return the factory
   */
  public Transport.Factory transportFactory() {
    return context -> new SimulatedTransport(this, context);
  }

  /**
   * Returns the scheduler on this network's virtual time, for the nodes' timers and jitter.
   *
   * @return the scheduler; its tasks run when virtual time is advanced
   */
  public Scheduler scheduler() {
    return loop;
  }

  /**
   * Returns an executor that runs tasks on the simulation thread, in submission order, at the
   * current virtual time, for a node's ordered callback executor.
   *
   * @return the executor; its tasks run when virtual time is next advanced
   */
  public Executor executor() {
    return task -> loop.schedule(Duration.ZERO, task);
  }

  /**
   * Returns a clock on this network's virtual time, at {@link #CLOCK_ORIGIN} when the network was
   * created.
   *
   * @return the clock, in UTC
   */
  public Clock clock() {
    return clock;
  }

  /**
   * Returns a new random generator derived from the seed, for a node's own random choices.
   *
   * <p>Generators are derived in the order of calls, so a test that creates its nodes in the same
   * order gets the same generators.
   *
   * @return a generator independent of the network's own
   */
  public synchronized RandomGenerator newRandom() {
    return random.split();
  }

  /**
   * Returns the virtual time elapsed since the network was created.
   *
   * @return the elapsed virtual time
   */
  public Duration now() {
    return loop.now();
  }

  /**
   * Moves virtual time forward by {@code step}, running every delivery, acknowledgement, timeout
   * and scheduled task that falls due, each at its own instant, on the calling thread.
   *
   * @param step how far to move, not negative
   * @return how many events ran
   * @throws IllegalArgumentException if {@code step} is negative
   * @throws IllegalStateException if called from inside a simulated callback
   */
  public int advance(Duration step) {
    return loop.advance(step);
  }

  /**
   * Runs the network for {@code duration} of virtual time; the same as {@link #advance(Duration)},
   * named for reading in test stories.
   *
   * @param duration how long to run, not negative
   * @return how many events ran
   * @throws IllegalArgumentException if {@code duration} is negative
   * @throws IllegalStateException if called from inside a simulated callback
   */
  public int runFor(Duration duration) {
    return loop.advance(duration);
  }

  /**
   * Runs events until none is left, moving virtual time to each event's instant.
   *
   * <p>Nodes with periodic timers are never idle; run those with {@link #runFor(Duration)}.
   *
   * @return how many events ran
   * @throws IllegalStateException if ten million events ran and more are waiting, or if called
   *     from inside a simulated callback
   */
  public int runUntilIdle() {
    return loop.runUntilIdle(MAX_IDLE_TASKS);
  }

  /**
   * Sets the conditions of every link that has none of its own.
   *
   * @param conditions the conditions
   */
  public synchronized void setConditions(LinkConditions conditions) {
    defaultConditions = Objects.requireNonNull(conditions, "conditions");
    record("conditions * " + conditions);
  }

  /**
   * Sets the conditions of the links between two peers, in both directions.
   *
   * @param a one peer
   * @param b the other peer
   * @param conditions the conditions
   * @throws IllegalArgumentException if {@code a} equals {@code b}
   */
  public synchronized void setConditions(PeerId a, PeerId b, LinkConditions conditions) {
    Objects.requireNonNull(conditions, "conditions");
    setLinkConditions(a, b, conditions);
    setLinkConditions(b, a, conditions);
  }

  /**
   * Sets the conditions of the link from one peer to another, in that direction only.
   *
   * @param from the sending peer
   * @param to the receiving peer
   * @param conditions the conditions
   * @throws IllegalArgumentException if {@code from} equals {@code to}
   */
  public synchronized void setLinkConditions(PeerId from, PeerId to, LinkConditions conditions) {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(conditions, "conditions");
    if (from.equals(to)) {
      throw new IllegalArgumentException("a link needs two peers, got " + from + " twice");
    }
    linkConditions.put(List.of(from, to), conditions);
    record("conditions " + name(from) + "->" + name(to) + " " + conditions);
  }

  /**
   * Returns the conditions in force on the link from one peer to another.
   *
   * @param from the sending peer
   * @param to the receiving peer
   * @return the link's own conditions, or the network-wide ones
   */
  public synchronized LinkConditions conditions(PeerId from, PeerId to) {
    return linkConditions.getOrDefault(List.of(from, to), defaultConditions);
  }

  /**
   * Removes every per-link condition and resets the network-wide ones to {@link
   * LinkConditions#reliable()}; partitions are kept.
   */
  public synchronized void clearConditions() {
    linkConditions.clear();
    defaultConditions = LinkConditions.reliable();
    record("conditions cleared");
  }

  /**
   * Sets how long a sender waits for an acknowledgement before its future fails.
   *
   * @param timeout a positive duration; applies to sends made from now on
   * @throws IllegalArgumentException if {@code timeout} is not positive
   */
  public synchronized void setSendTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("send timeout must be positive, got " + timeout);
    }
    sendTimeout = timeout;
  }

  /**
   * Returns how long a sender waits for an acknowledgement.
   *
   * @return the timeout
   */
  public synchronized Duration sendTimeout() {
    return sendTimeout;
  }

  /**
   * Splits the network: the peers of each given set can reach each other but nobody outside their
   * set; peers in no set form one more side together. Replaces any earlier partition.
   *
   * <p>Connections across sides are lost at once ({@code onPeerLost} on both ends), and copies and
   * acknowledgements travelling across them are dropped when they arrive.
   *
   * @param sides disjoint sets of peers; peers need not be online
   * @throws IllegalArgumentException if a peer is in two sets
   */
  @SafeVarargs
  public final void partition(Set<PeerId>... sides) {
    partition(List.of(sides));
  }

  /**
   * Splits the network into the given sides; see {@link #partition(Set[])}.
   *
   * @param newSides disjoint sets of peers
   * @throws IllegalArgumentException if a peer is in two sets
   */
  public synchronized void partition(Collection<? extends Set<PeerId>> newSides) {
    Map<PeerId, Integer> assigned = new HashMap<>();
    int side = 1;
    StringBuilder text = new StringBuilder("partition");
    for (Set<PeerId> s : newSides) {
      text.append(" {");
      for (PeerId p : new TreeSet<>(s)) {
        if (assigned.put(Objects.requireNonNull(p, "peer"), side) != null) {
          throw new IllegalArgumentException("peer " + p + " is in two sides of the partition");
        }
        text.append(' ').append(name(p));
      }
      text.append(" }");
      side++;
    }
    sides.clear();
    sides.putAll(assigned);
    record(text.toString());
    updateConnectivity();
  }

  /**
   * Ends any partition: every online peer can reach every other again and reconnects
   * ({@code onPeerConnected} on both ends).
   */
  public synchronized void heal() {
    sides.clear();
    record("heal");
    updateConnectivity();
  }

  /**
   * Returns whether a copy sent now from one peer would be allowed through by the current
   * partition and the peers' states (loss aside).
   *
   * @param from the sending peer
   * @param to the receiving peer
   * @return true if both are online and on the same side
   */
  public synchronized boolean canReach(PeerId from, PeerId to) {
    return online.containsKey(from) && online.containsKey(to) && sameSide(from, to);
  }

  /**
   * Crashes the node of a peer: its transport stops at once without telling it, every copy and
   * acknowledgement travelling to or from it is lost, its own pending sends fail, and its peers see
   * the connection lost. The node restarts by creating and starting a new transport.
   *
   * @param peer the peer
   * @return true if the peer was online
   */
  public boolean crash(PeerId peer) {
    Objects.requireNonNull(peer, "peer");
    SimulatedTransport t;
    synchronized (this) {
      t = online.get(peer);
      if (t == null) {
        return false;
      }
      record("crash " + name(peer));
    }
    takeDown(t, SimulatedTransport.State.CRASHED, "node crashed");
    return true;
  }

  /**
   * Returns whether a peer has a started transport that is neither closed nor crashed.
   *
   * @param peer the peer
   * @return true if online
   */
  public synchronized boolean isOnline(PeerId peer) {
    return online.containsKey(peer);
  }

  /**
   * Returns the peers that are online now.
   *
   * @return an immutable snapshot, in peer id order
   */
  public synchronized Set<PeerId> onlinePeers() {
    return Set.copyOf(online.keySet());
  }

  /**
   * Returns the network's counters.
   *
   * @return a snapshot
   */
  public synchronized NetworkStats stats() {
    return new NetworkStats(sent, delivered, dropped, duplicated, acknowledged, failed);
  }

  /**
   * Returns the network's recent events as text lines with their virtual time, for comparing runs
   * and for failure messages; at most {@link #MAX_TRACE_EVENTS} are kept.
   *
   * @return an immutable snapshot, oldest first
   */
  public synchronized List<String> trace() {
    return List.copyOf(trace);
  }

  /**
   * Returns a line with the seed, virtual time and counters, for failure messages.
   *
   * @return the description
   */
  @Override
  public synchronized String toString() {
    return "SimulatedNetwork{seed=" + seed + ", now=" + loop.now() + ", online=" + online.size()
        + ", " + stats() + "}";
  }

  // ---- called by SimulatedTransport ----

  static String address(PeerId peer) {
    return ADDRESS_SCHEME + peer.toBase58();
  }

  CompletableFuture<Void> start(SimulatedTransport t) {
    synchronized (this) {
      switch (t.state) {
        case STARTED:
          return CompletableFuture.completedFuture(null);
        case CLOSED:
        case CRASHED:
          return CompletableFuture.failedFuture(
              new TransportException("transport of " + t.peer + " is " + t.state.name().toLowerCase()
                  + "; create a new one to restart"));
        default:
          break;
      }
      SimulatedTransport other = online.get(t.peer);
      if (other != null) {
        return CompletableFuture.failedFuture(
            new TransportException("peer " + t.peer + " is already online on this network"));
      }
      t.state = SimulatedTransport.State.STARTED;
      online.put(t.peer, t);
      known.add(t.peer);
      record("start " + name(t.peer));
      updateConnectivity();
      return CompletableFuture.completedFuture(null);
    }
  }

  void close(SimulatedTransport t) {
    synchronized (this) {
      if (t.state == SimulatedTransport.State.CLOSED || t.state == SimulatedTransport.State.CRASHED) {
        return;
      }
      if (t.state == SimulatedTransport.State.NEW) {
        t.state = SimulatedTransport.State.CLOSED;
        return;
      }
      record("close " + name(t.peer));
    }
    takeDown(t, SimulatedTransport.State.CLOSED, "transport closed");
  }

  CompletableFuture<Void> send(SimulatedTransport from, PeerId to, byte[] envelope) {
    Objects.requireNonNull(to, "recipient");
    Objects.requireNonNull(envelope, "envelope");
    synchronized (this) {
      if (from.state != SimulatedTransport.State.STARTED) {
        return CompletableFuture.failedFuture(new TransportException(
            "transport of " + from.peer + " is " + from.state.name().toLowerCase()));
      }
      if (envelope.length > MAX_ENVELOPE_LENGTH) {
        return CompletableFuture.failedFuture(new TransportException("envelope of "
            + envelope.length + " bytes exceeds " + MAX_ENVELOPE_LENGTH));
      }
      byte[] bytes = envelope.clone();
      PendingSend p = new PendingSend(nextSendId++, from, to, new CompletableFuture<>());
      sent++;
      from.pending.put(p.id, p);
      p.timeout = loop.schedule(sendTimeout, () -> timeOut(p));
      record("send #" + p.id + " " + name(from.peer) + "->" + name(to) + " " + bytes.length + "B");
      LinkConditions c = conditions(from.peer, to);
      boolean duplicate = random.nextDouble() < c.duplication();
      putOnLink(p, bytes, c, 0);
      if (duplicate) {
        duplicated++;
        putOnLink(p, bytes, c, 1);
      }
      return p.future;
    }
  }

  Set<PeerId> connectedPeers(SimulatedTransport t) {
    synchronized (this) {
      return Set.copyOf(t.connected);
    }
  }

  // ---- internals; every method below that touches state runs under this object's lock ----

  private void putOnLink(PendingSend p, byte[] bytes, LinkConditions c, int copy) {
    String what = "copy #" + p.id + (copy == 0 ? "" : "'");
    boolean lost = random.nextDouble() < c.loss();
    long delay = c.latency().sampleNanos(random);
    if (random.nextDouble() < c.reordering() && !c.reorderMaxDelay().isZero()) {
      delay += random.nextLong(c.reorderMaxDelay().toNanos() + 1);
    }
    LinkConditions back = conditions(p.to, p.from.peer);
    long ackDelay = back.latency().sampleNanos(random);
    boolean ackLost = random.nextDouble() < back.loss();
    SimulatedTransport target = online.get(p.to);
    if (lost) {
      dropped++;
      record("lose " + what);
      return;
    }
    if (target == null || !sameSide(p.from.peer, p.to)) {
      dropped++;
      record("drop " + what + " " + (target != null ? "partitioned"
          : known.contains(p.to) ? "offline" : "unknown peer"));
      return;
    }
    loop.schedule(Duration.ofNanos(delay), () -> deliver(p, target, bytes, what, ackDelay, ackLost));
  }

  private void deliver(PendingSend p, SimulatedTransport target, byte[] bytes, String what,
      long ackDelay, boolean ackLost) {
    synchronized (this) {
      String reason = linkBroken(p.from, target);
      if (reason != null) {
        dropped++;
        record("drop " + what + " " + reason);
        return;
      }
      delivered++;
      record("deliver " + what + " " + name(p.from.peer) + "->" + name(target.peer));
    }
    CompletableFuture<Void> stored;
    try {
      stored = target.listener.onEnvelope(p.from.peer, bytes.clone());
      if (stored == null) {
        stored = CompletableFuture.failedFuture(new NullPointerException("listener returned null"));
      }
    } catch (RuntimeException e) {
      LOG.warn("listener of {} threw on an envelope; not acknowledged", target.peer, e);
      stored = CompletableFuture.failedFuture(e);
    }
    stored.whenComplete((ok, error) -> loop.schedule(Duration.ofNanos(ackDelay),
        () -> acknowledge(p, target, what, error, ackLost)));
  }

  private void acknowledge(PendingSend p, SimulatedTransport target, String what, Throwable error,
      boolean ackLost) {
    synchronized (this) {
      String reason = linkBroken(p.from, target);
      if (reason != null || ackLost) {
        record("drop ack of " + what + " " + (reason != null ? reason : "lost"));
        return;
      }
      if (!p.from.pending.containsKey(p.id)) {
        record("ignore ack of " + what + " after completion");
        return;
      }
      record((error == null ? "ack " : "refuse ") + what);
    }
    if (error == null) {
      finish(p, null);
    } else {
      finish(p, new TransportException("peer " + p.to + " refused the envelope", error));
    }
  }

  private void timeOut(PendingSend p) {
    synchronized (this) {
      if (!p.from.pending.containsKey(p.id)) {
        return;
      }
      record("timeout #" + p.id);
    }
    finish(p, new TransportException(
        "no acknowledgement from " + p.to + " within " + sendTimeout));
  }

  /** Completes a send outside the lock, so that dependent stages never run under it. */
  private void finish(PendingSend p, TransportException error) {
    synchronized (this) {
      if (p.from.pending.remove(p.id) == null) {
        return;
      }
      p.timeout.cancel();
      if (error == null) {
        acknowledged++;
      } else {
        failed++;
      }
    }
    if (error == null) {
      p.future.complete(null);
    } else {
      p.future.completeExceptionally(error);
    }
  }

  private void takeDown(SimulatedTransport t, SimulatedTransport.State state, String why) {
    List<PendingSend> orphans;
    synchronized (this) {
      if (t.state != SimulatedTransport.State.STARTED) {
        return;
      }
      t.state = state;
      online.remove(t.peer, t);
      t.connected.clear();
      orphans = new ArrayList<>(t.pending.values());
      updateConnectivity();
    }
    for (PendingSend p : orphans) {
      finish(p, new TransportException(why + " before " + p.to + " acknowledged"));
    }
  }

  private String linkBroken(SimulatedTransport from, SimulatedTransport to) {
    if (from.state != SimulatedTransport.State.STARTED) {
      return "sender " + from.state.name().toLowerCase();
    }
    if (to.state != SimulatedTransport.State.STARTED) {
      return "recipient " + to.state.name().toLowerCase();
    }
    if (!sameSide(from.peer, to.peer)) {
      return "partitioned";
    }
    return null;
  }

  private boolean sameSide(PeerId a, PeerId b) {
    return sides.getOrDefault(a, 0).equals(sides.getOrDefault(b, 0));
  }

  /** Brings every online transport's connections in line with who can reach whom. */
  private void updateConnectivity() {
    for (SimulatedTransport t : online.values()) {
      Set<PeerId> reachable = new TreeSet<>();
      for (PeerId other : online.keySet()) {
        if (!other.equals(t.peer) && sameSide(t.peer, other)) {
          reachable.add(other);
        }
      }
      for (PeerId lost : new TreeSet<>(t.connected)) {
        if (!reachable.contains(lost)) {
          t.connected.remove(lost);
          record("lost " + name(t.peer) + "-x-" + name(lost));
          notifyPeer(t, lost, false);
        }
      }
      for (PeerId gained : reachable) {
        if (t.connected.add(gained)) {
          record("connected " + name(t.peer) + "<->" + name(gained));
          notifyPeer(t, gained, true);
        }
      }
    }
  }

  private void notifyPeer(SimulatedTransport t, PeerId peer, boolean connected) {
    loop.schedule(Duration.ZERO, () -> {
      synchronized (this) {
        if (t.state != SimulatedTransport.State.STARTED) {
          return;
        }
      }
      try {
        if (connected) {
          t.listener.onPeerConnected(peer);
        } else {
          t.listener.onPeerLost(peer);
        }
      } catch (RuntimeException e) {
        LOG.warn("listener of {} threw on a connection event", t.peer, e);
      }
    });
  }

  private void record(String event) {
    if (trace.size() == MAX_TRACE_EVENTS) {
      trace.removeFirst();
    }
    trace.addLast(loop.nowNanos() + "ns " + event);
  }

  private static String name(PeerId peer) {
    // cached: the trace names two peers per copy, and Base58 is costly in many-seed tests
    return NAMES.computeIfAbsent(peer, p -> {
      String s = p.toBase58();
      return s.substring(Math.max(0, s.length() - 6));
    });
  }

  private static final java.util.Map<PeerId, String> NAMES =
      java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

  /** One send waiting for its acknowledgement. */
  static final class PendingSend {
    final long id;
    final SimulatedTransport from;
    final PeerId to;
    final CompletableFuture<Void> future;
    Scheduler.Cancellable timeout;

    PendingSend(long id, SimulatedTransport from, PeerId to, CompletableFuture<Void> future) {
      this.id = id;
      this.from = from;
      this.to = to;
      this.future = future;
    }
  }

  /** A {@link Clock} that reads this network's virtual time. */
  private final class VirtualClock extends Clock {
    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return Clock.fixed(instant(), zone);
    }

    @Override
    public Instant instant() {
      return CLOCK_ORIGIN.plusNanos(loop.nowNanos());
    }
  }
}
