package io.spacepanda.internal.node;

import io.spacepanda.PeerId;
import io.spacepanda.spi.Scheduler;
import io.spacepanda.spi.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps connections to the members of this node's spaces (issue 12 item 4): every {@link #TICK},
 * each member that is not connected and whose backoff has passed is dialed with {@link
 * Transport#connect} (its known addresses, then peer routing through the DHT: FIND_NODE and its
 * signed peer record). A failure doubles the wait before the next attempt, from {@link #BASE} up to
 * {@link #CAP}, with "equal jitter" (half fixed, half random) so that members who lost each other
 * together do not redial together; a success, or the member connecting by itself, resets it.
 *
 * <p>Bounds: at most {@link #MAX_IN_FLIGHT} dials at once, at most {@link #MAX_MEMBERS} members
 * watched; state only for members that are not connected. Threading: thread-safe (one lock); dials complete on transport threads.
 */
final class Reconnector {

  private static final Logger LOG = LoggerFactory.getLogger(Reconnector.class);

  /** How often the members' connections are checked. */
  static final Duration TICK = Duration.ofSeconds(5);
  /** The wait after the first failure. */
  static final Duration BASE = Duration.ofSeconds(2);
  /** The longest wait between two attempts. */
  static final Duration CAP = Duration.ofMinutes(5);
  /** Members kept connected at most (beyond, the others connect through sends as before). */
  static final int MAX_MEMBERS = 64;
  /** Dials in flight at most. */
  static final int MAX_IN_FLIGHT = 8;

  private record State(int failures, long nextAtMillis) {}

  private final Supplier<Set<PeerId>> members;
  private final Supplier<Transport> transport;
  private final Scheduler scheduler;
  private final LongSupplier clock;
  private final Random random;
  private final Object lock = new Object();
  private final Map<PeerId, State> backoff = new HashMap<>(); // guarded by lock
  private final Set<PeerId> inFlight = new HashSet<>(); // guarded by lock
  private Scheduler.Cancellable timer; // guarded by lock
  private boolean closed; // guarded by lock
  private long attempts; // guarded by lock

  Reconnector(Supplier<Set<PeerId>> members, Supplier<Transport> transport, Scheduler scheduler,
      LongSupplier clock, Random random) {
    this.members = members;
    this.transport = transport;
    this.scheduler = scheduler;
    this.clock = clock;
    this.random = random;
  }

  /**
   * Returns the wait after {@code failures} failed attempts: {@code d = min(CAP, BASE·2^(n-1))},
   * then a uniform value in {@code [d/2, d]}.
   *
   * @param failures failed attempts in a row, at least 1
   * @param random the jitter's source
   * @return the wait
   */
  static Duration backoff(int failures, Random random) {
    long cap = CAP.toMillis();
    long d = BASE.toMillis() << Math.min(failures - 1, 20);
    d = Math.min(cap, d);
    long half = d / 2;
    return Duration.ofMillis(half + (long) (random.nextDouble() * (d - half + 1)));
  }

  private volatile java.util.function.Consumer<PeerId> onRepeatedFailure;

  /**
   * Sets what runs when dials to a member failed twice or more in a row (a rendezvous lookup).
   *
   * @param hook gets the member
   */
  void onRepeatedFailure(java.util.function.Consumer<PeerId> hook) {
    onRepeatedFailure = hook;
  }

  /** Starts the periodic check. */
  void start() {
    synchronized (lock) {
      if (closed || timer != null) {
        return;
      }
      arm();
    }
  }

  private void arm() {
    try {
      timer = scheduler.schedule(TICK, () -> {
        tick();
        synchronized (lock) {
          if (!closed) {
            arm();
          }
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      closed = true; // the scheduler stopped: the node is closing
    }
  }

  /** Stops the checks; dials in flight finish on their own. */
  void close() {
    synchronized (lock) {
      closed = true;
      if (timer != null) {
        timer.cancel();
      }
    }
  }

  /**
   * A peer connected (by itself or through a dial): its backoff resets.
   *
   * @param peer the peer
   */
  void connected(PeerId peer) {
    synchronized (lock) {
      backoff.remove(peer);
    }
  }

  /** Returns the dials started so far (for tests). */
  long attempts() {
    synchronized (lock) {
      return attempts;
    }
  }

  /** Returns the failures in a row of a peer, 0 when none (for tests). */
  int failures(PeerId peer) {
    synchronized (lock) {
      State s = backoff.get(peer);
      return s == null ? 0 : s.failures();
    }
  }

  /**
   * Keeps at most {@link #MAX_MEMBERS} members, a stable choice per member set (smallest mixed hash
   * of the peer id), so that large spaces do not make a full mesh.
   */
  private static Set<PeerId> bounded(Set<PeerId> all) {
    if (all.size() <= MAX_MEMBERS) {
      return all;
    }
    List<PeerId> sorted = new ArrayList<>(all);
    sorted.sort(java.util.Comparator.comparingInt(p -> java.util.Arrays.hashCode(p.bytes()) * 0x9E3779B9));
    return new HashSet<>(sorted.subList(0, MAX_MEMBERS));
  }

  /** Dials the members that are due; runs on the scheduler. */
  void tick() {
    Transport t = transport.get();
    if (t == null) {
      return;
    }
    Set<PeerId> connected = t.connectedPeers();
    Set<PeerId> wanted = bounded(members.get());
    long now = clock.getAsLong();
    Set<PeerId> dial = new HashSet<>();
    synchronized (lock) {
      if (closed) {
        return;
      }
      backoff.keySet().retainAll(wanted); // members that left need no state
      for (PeerId p : wanted) {
        if (connected.contains(p)) {
          backoff.remove(p);
          continue;
        }
        State s = backoff.get(p);
        if (inFlight.contains(p) || (s != null && now < s.nextAtMillis())
            || inFlight.size() + dial.size() >= MAX_IN_FLIGHT) {
          continue;
        }
        dial.add(p);
      }
      inFlight.addAll(dial);
      attempts += dial.size();
    }
    for (PeerId p : dial) {
      t.connect(p).whenComplete((v, e) -> {
        synchronized (lock) {
          inFlight.remove(p);
          if (e == null) {
            backoff.remove(p);
          } else {
            int n = backoff.containsKey(p) ? backoff.get(p).failures() + 1 : 1;
            backoff.put(p, new State(n, clock.getAsLong() + backoff(n, random).toMillis()));
          }
        }
        if (e != null) {
          LOG.debug("reconnecting to member {} failed", p);
          java.util.function.Consumer<PeerId> hook = onRepeatedFailure;
          if (hook != null && failures(p) >= 2) {
            hook.accept(p); // addresses and peer routing failed twice: try the rendezvous
          }
        }
      });
    }
  }
}
