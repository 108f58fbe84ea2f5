package io.spacepanda.internal.net.host;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Decides which connections may run their upgrade handshake, so that peers holding idle sockets
 * can neither lock out nor evict good peers (issue 14).
 *
 * <p>Design: every pending handshake holds a {@link Ticket}. Inbound connections are counted per
 * IP address and per prefix (/24 for IPv4, /64 for IPv6, the smallest blocks an attacker cheaply
 * holds many addresses in); past either limit a connection is refused. When the global limit is
 * reached, a connection from an address the node knows a peer at (its address book), and the
 * node's own dials, take one of the reserved slots; any other connection evicts the oldest
 * pending inbound handshake of the most-represented prefix when that prefix holds more pending
 * handshakes than the newcomer's, and is refused otherwise. An attacker therefore only ever
 * displaces itself, and a newcomer from a quiet prefix always gets a slot. The deadline a new
 * handshake gets shrinks linearly from the handshake timeout (at a quarter of the limit or less)
 * to the minimum timeout (at the limit), so sockets held idle under pressure are recycled fast.
 *
 * <p>Threading: thread-safe, one lock; the eviction callback runs after the lock is released.
 */
final class HandshakeAdmission {

  /** One pending handshake's slot. */
  static final class Ticket {
    final InetAddress address; // null for outbound
    final Prefix prefix; // null for outbound
    final boolean reserved;
    final Duration deadline;
    final Runnable onEvicted;
    final long serial;
    boolean released; // guarded by the admission's lock

    Ticket(InetAddress address, Prefix prefix, boolean reserved, Duration deadline, Runnable onEvicted, long serial) {
      this.serial = serial;
      this.address = address;
      this.prefix = prefix;
      this.reserved = reserved;
      this.deadline = deadline;
      this.onEvicted = onEvicted;
    }

    /** The time this handshake has to finish. */
    Duration deadline() {
      return deadline;
    }
  }

  /** A /24 or /64 network prefix. */
  record Prefix(boolean v6, long bits) {
    static Prefix of(InetAddress address) {
      byte[] b = address.getAddress();
      int n = address instanceof Inet4Address ? 3 : 8;
      long bits = 0;
      for (int i = 0; i < n && i < b.length; i++) {
        bits = (bits << 8) | (b[i] & 0xFF);
      }
      return new Prefix(n == 8, bits);
    }
  }

  private final AdmissionLimits limits;
  private final Duration maxDeadline;
  private final Predicate<InetAddress> known;
  private final Object lock = new Object();
  private int pending; // guarded by lock
  private int reservedInUse; // guarded by lock
  private final Map<InetAddress, Integer> byAddress = new HashMap<>(); // guarded by lock
  private final Map<Prefix, ArrayDeque<Ticket>> byPrefix = new HashMap<>(); // guarded by lock
  private long evicted; // guarded by lock
  private long refused; // guarded by lock
  private long serials; // guarded by lock

  /**
   * Creates an admission policy.
   *
   * @param limits the bounds
   * @param maxDeadline the handshake timeout when few handshakes are pending
   * @param known whether the node knows a peer at an address; called under the lock, so it must
   *     be fast and must not block
   */
  HandshakeAdmission(AdmissionLimits limits, Duration maxDeadline, Predicate<InetAddress> known) {
    this.limits = Objects.requireNonNull(limits, "limits");
    this.maxDeadline = Objects.requireNonNull(maxDeadline, "maxDeadline");
    this.known = Objects.requireNonNull(known, "known");
  }

  /**
   * Admits the node's own dial: within the global limit, or in a reserved slot.
   *
   * @return the ticket, or null when even the reserved slots are taken
   */
  Ticket admitOutbound() {
    synchronized (lock) {
      boolean reserved = pending >= limits.maxPending();
      if (reserved && reservedInUse >= limits.reserved()) {
        refused++;
        return null;
      }
      return take(null, null, reserved, null);
    }
  }

  /**
   * Admits an inbound connection, possibly evicting another pending one (whose {@code onEvicted}
   * then runs on this thread before this method returns).
   *
   * @param address the remote IP address
   * @param onEvicted run if this handshake is later evicted to make room for another
   * @return the ticket, or null when the connection is refused
   */
  Ticket admitInbound(InetAddress address, Runnable onEvicted) {
    Objects.requireNonNull(address, "address");
    Prefix prefix = Prefix.of(address);
    Ticket victim = null;
    Ticket admitted;
    synchronized (lock) {
      ArrayDeque<Ticket> samePrefix = byPrefix.get(prefix);
      int prefixCount = samePrefix == null ? 0 : samePrefix.size();
      if (byAddress.getOrDefault(address, 0) >= limits.maxPendingPerAddress()
          || prefixCount >= limits.maxPendingPerPrefix()) {
        refused++;
        return null;
      }
      boolean reserved = false;
      if (pending >= limits.maxPending()) {
        if (reservedInUse < limits.reserved() && known.test(address)) {
          reserved = true;
        } else {
          victim = oldestOfLargestPrefix(prefixCount);
          if (victim == null) {
            refused++;
            return null;
          }
          release(victim);
          evicted++;
        }
      }
      admitted = take(address, prefix, reserved, onEvicted);
    }
    if (victim != null) {
      victim.onEvicted.run();
    }
    return admitted;
  }

  /** Frees a ticket's slot; a no-op the second time. */
  void release(Ticket t) {
    synchronized (lock) {
      if (t.released) {
        return;
      }
      t.released = true;
      pending--;
      if (t.reserved) {
        reservedInUse--;
      }
      if (t.address != null) {
        byAddress.computeIfPresent(t.address, (a, n) -> n == 1 ? null : n - 1);
        ArrayDeque<Ticket> q = byPrefix.get(t.prefix);
        if (q != null) {
          q.remove(t);
          if (q.isEmpty()) {
            byPrefix.remove(t.prefix);
          }
        }
      }
    }
  }

  /** Returns the number of pending handshakes. */
  int pending() {
    synchronized (lock) {
      return pending;
    }
  }

  /** Returns how many pending handshakes were evicted for newcomers. */
  long evicted() {
    synchronized (lock) {
      return evicted;
    }
  }

  /** Returns how many connections were refused. */
  long refused() {
    synchronized (lock) {
      return refused;
    }
  }

  private Ticket take(InetAddress address, Prefix prefix, boolean reserved, Runnable onEvicted) {
    Ticket t = new Ticket(address, prefix, reserved, deadline(pending), onEvicted, ++serials);
    pending++;
    if (reserved) {
      reservedInUse++;
    }
    if (address != null) {
      byAddress.merge(address, 1, Integer::sum);
      byPrefix.computeIfAbsent(prefix, p -> new ArrayDeque<>()).addLast(t);
    }
    return t;
  }

  /**
   * The oldest unreserved ticket among the prefixes with most pending handshakes, if they hold
   * more than {@code than}; among equally large prefixes the one whose handshake waited longest
   * loses it, so a quick handshake outlives idle sockets.
   */
  private Ticket oldestOfLargestPrefix(int than) {
    int largest = than;
    Ticket victim = null;
    for (ArrayDeque<Ticket> q : byPrefix.values()) {
      if (q.size() < largest || q.size() <= than) {
        continue;
      }
      for (Ticket t : q) {
        if (!t.reserved) {
          if (q.size() > largest || victim == null || t.serial < victim.serial) {
            victim = t;
            largest = q.size();
          }
          break;
        }
      }
    }
    return victim;
  }

  /** Shrinks linearly from the maximum (at a quarter of the limit) to the minimum (at the limit). */
  Duration deadline(int pendingNow) {
    long max = maxDeadline.toMillis();
    long min = Math.min(max, limits.minHandshakeTimeout().toMillis());
    double quarter = limits.maxPending() / 4.0;
    if (pendingNow <= quarter) {
      return maxDeadline;
    }
    double load = Math.min(1.0, (pendingNow - quarter) / (limits.maxPending() - quarter));
    return Duration.ofMillis(Math.max(min, Math.round(max - (max - min) * load)));
  }
}
