package io.spacepanda.internal.node;

import io.spacepanda.PeerId;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Work that connection peers' envelopes wasted, and the throttle it leads to (issue 14).
 *
 * <p>Design: a leaky bucket per connection peer. Each inbound envelope that ends dropped charges
 * its peer the work it cost, in units of about one key derivation ({@link #KEY_DERIVATION}): the
 * secret-tree keys it made the group derive (a forged generation just inside the jump bound costs
 * about 2,000), an HPKE open that failed ({@link #HPKE_OPEN}), or the classification and lookup of
 * a malformed, duplicate or unexpected one ({@link #LOOKUP}). The debt drains at {@code
 * drainPerSecond} of the node's clock. Above {@code capacity} the peer is throttled: its envelopes
 * are refused before any work until the debt drained to half the capacity. Work that succeeded is
 * never charged, so an honest peer is throttled only by wasting as much as an attacker. Only the
 * connection peer is known to the node (envelopes are sealed-sender), so a relaying peer answers
 * for what it relays.
 *
 * <p>Bounds: at most {@value #MAX_PEERS} peers are tracked; peers whose debt drained are forgotten
 * first, and beyond that a new peer shares one overflow account with the other newcomers.
 *
 * <p>Threading: thread-safe, one lock; the throttle callback runs without it.
 */
final class PeerWork {

  /** Work units of one key derivation (a secret-tree ratchet step or message key). */
  static final long KEY_DERIVATION = 1;
  /** Work units of an HPKE open (an X25519 agreement and key schedule), about 30 derivations. */
  static final long HPKE_OPEN = 32;
  /** Work units of classifying and looking up one envelope. */
  static final long LOOKUP = 1;
  /**
   * Default debt at which a peer is throttled: ten forged generations at the jump bound of 1,000
   * (each about 2,000 units), or 625 failed HPKE opens.
   */
  static final long DEFAULT_CAPACITY = 20_000;
  /**
   * Default drain: 1,000 units a second, so a throttled attacker costs the node at most about one
   * forged generation every two seconds (a few milliseconds of CPU a second).
   */
  static final long DEFAULT_DRAIN_PER_SECOND = 1_000;
  /** Most peers tracked at once. */
  static final int MAX_PEERS = 4096;

  /** Told when a peer becomes throttled. */
  @FunctionalInterface
  interface Listener {
    void throttled(PeerId peer, long debt);
  }

  private static final PeerId OVERFLOW = PeerId.fromPublicKey(new byte[] {
      1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});

  private final long capacity;
  private final long drainPerSecond;
  private final LongSupplier millis;
  private final Listener listener;
  private final Object lock = new Object();
  private final Map<PeerId, Account> accounts = new HashMap<>(); // guarded by lock
  private long charged; // guarded by lock
  private long throttledTimes; // guarded by lock

  private static final class Account {
    long debt;
    long at;
    boolean throttled;
  }

  /**
   * @param capacity debt at which a peer is throttled, positive
   * @param drainPerSecond units forgiven per second, positive
   * @param millis the node's clock in milliseconds (virtual in simulations)
   * @param listener told once each time a peer becomes throttled
   */
  PeerWork(long capacity, long drainPerSecond, LongSupplier millis, Listener listener) {
    if (capacity < 1 || drainPerSecond < 1) {
      throw new IllegalArgumentException("capacity and drain must be positive");
    }
    this.capacity = capacity;
    this.drainPerSecond = drainPerSecond;
    this.millis = Objects.requireNonNull(millis, "millis");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /**
   * Charges wasted work to a peer.
   *
   * @param peer the connection peer, or null when unknown (nothing is charged)
   * @param units the work, not negative
   */
  void charge(PeerId peer, long units) {
    if (peer == null || units <= 0) {
      return;
    }
    long debt = -1;
    synchronized (lock) {
      Account a = account(peer);
      drain(a);
      a.debt = a.debt > Long.MAX_VALUE - units ? Long.MAX_VALUE : a.debt + units;
      charged += units;
      if (!a.throttled && a.debt > capacity) {
        a.throttled = true;
        throttledTimes++;
        debt = a.debt;
      }
    }
    if (debt >= 0) {
      listener.throttled(peer, debt);
    }
  }

  /**
   * Tells whether a peer's envelopes are refused now.
   *
   * @param peer the connection peer, or null
   * @return true while its debt has not drained to half the capacity since it passed the capacity
   */
  boolean throttled(PeerId peer) {
    if (peer == null) {
      return false;
    }
    synchronized (lock) {
      Account a = accounts.get(peer);
      if (a == null && accounts.size() >= MAX_PEERS) {
        a = accounts.get(OVERFLOW);
      }
      if (a == null) {
        return false;
      }
      drain(a);
      if (a.throttled && a.debt <= capacity / 2) {
        a.throttled = false;
      }
      return a.throttled;
    }
  }

  /** Returns a peer's debt now, in work units (for tests and logs). */
  long debt(PeerId peer) {
    synchronized (lock) {
      Account a = accounts.get(peer);
      if (a == null) {
        return 0;
      }
      drain(a);
      return a.debt;
    }
  }

  /** Returns all work charged since creation, in units. */
  long charged() {
    synchronized (lock) {
      return charged;
    }
  }

  /** Returns how many times a peer became throttled. */
  long throttledTimes() {
    synchronized (lock) {
      return throttledTimes;
    }
  }

  private Account account(PeerId peer) {
    Account a = accounts.get(peer);
    if (a != null) {
      return a;
    }
    if (accounts.size() >= MAX_PEERS) {
      for (Iterator<Account> it = accounts.values().iterator(); it.hasNext(); ) {
        Account x = it.next();
        drain(x);
        if (x.debt == 0 && !x.throttled) {
          it.remove();
        }
      }
    }
    PeerId key = accounts.size() >= MAX_PEERS ? OVERFLOW : peer;
    a = accounts.get(key);
    if (a == null) {
      a = new Account();
      a.at = millis.getAsLong();
      accounts.put(key, a);
    }
    return a;
  }

  private void drain(Account a) {
    long now = millis.getAsLong();
    long elapsed = now - a.at;
    if (elapsed <= 0) {
      return;
    }
    long forgiven = elapsed >= Long.MAX_VALUE / drainPerSecond ? Long.MAX_VALUE : elapsed * drainPerSecond / 1000;
    if (forgiven == 0) {
      return; // keep the remainder for later rather than lose it to rounding
    }
    a.debt = Math.max(0, a.debt - forgiven);
    a.at = now;
  }
}
