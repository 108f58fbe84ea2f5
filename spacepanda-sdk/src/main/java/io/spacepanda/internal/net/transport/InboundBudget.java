package io.spacepanda.internal.net.transport;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The transport-wide budget of bytes inbound envelopes may hold, shared fairly between
 * connections (issue 14).
 *
 * <p>Design: every inbound envelope reserves the length its prefix announces before its bytes are
 * buffered, so memory stays bounded whatever peers claim. When a reservation does not fit, the
 * connection holding the most takes the loss: its oldest reservation is evicted (its stream is
 * reset) as long as that connection holds more than the requester would after the reservation;
 * otherwise the requester is refused. So streams that announce large envelopes and stall can only
 * crowd out their own connection, and a peer sending small envelopes always finds room. The
 * receive timeout still resets stalled streams that were never evicted.
 *
 * <p>Threading: thread-safe, one lock; eviction callbacks run after it is released.
 *
 * @param <K> the owner of reservations, one per connection
 */
final class InboundBudget<K> {

  /** Bytes reserved by one inbound envelope. */
  static final class Reservation {
    final Object owner;
    final long bytes;
    final Runnable onEvicted;
    boolean released; // guarded by the budget's lock

    Reservation(Object owner, long bytes, Runnable onEvicted) {
      this.owner = owner;
      this.bytes = bytes;
      this.onEvicted = onEvicted;
    }
  }

  private final long max;
  private final Object lock = new Object();
  private final Map<K, ArrayDeque<Reservation>> byOwner = new HashMap<>(); // guarded by lock
  private final Map<K, Long> held = new HashMap<>(); // guarded by lock
  private long total; // guarded by lock
  private long evicted; // guarded by lock

  InboundBudget(long max) {
    this.max = max;
  }

  /**
   * Reserves {@code bytes} for {@code owner}, evicting reservations of connections holding more.
   *
   * @param owner the requesting connection
   * @param bytes the announced length
   * @param onEvicted run (on the calling thread, without the lock) if this reservation is later
   *     evicted for a smaller holder
   * @return the reservation, or null if it does not fit
   */
  Reservation reserve(K owner, long bytes, Runnable onEvicted) {
    Objects.requireNonNull(owner, "owner");
    List<Reservation> victims = new ArrayList<>();
    Reservation r;
    synchronized (lock) {
      if (bytes > max) {
        return null;
      }
      long mine = held.getOrDefault(owner, 0L) + bytes;
      while (total + bytes > max) {
        K largest = null;
        long most = mine;
        for (Map.Entry<K, Long> e : held.entrySet()) {
          if (!e.getKey().equals(owner) && e.getValue() > most) {
            largest = e.getKey();
            most = e.getValue();
          }
        }
        if (largest == null) {
          break;
        }
        Reservation victim = byOwner.get(largest).peekFirst();
        releaseLocked(victim);
        evicted++;
        victims.add(victim);
      }
      if (total + bytes > max) {
        r = null;
      } else {
        r = new Reservation(owner, bytes, onEvicted);
        total += bytes;
        held.merge(owner, bytes, Long::sum);
        byOwner.computeIfAbsent(owner, k -> new ArrayDeque<>()).addLast(r);
      }
    }
    for (Reservation v : victims) {
      v.onEvicted.run();
    }
    return r;
  }

  /** Frees a reservation; a no-op the second time. */
  void release(Reservation r) {
    synchronized (lock) {
      releaseLocked(r);
    }
  }

  private void releaseLocked(Reservation r) {
    if (r.released) {
      return;
    }
    r.released = true;
    total -= r.bytes;
    @SuppressWarnings("unchecked")
    K owner = (K) r.owner;
    held.computeIfPresent(owner, (k, n) -> n == r.bytes ? null : n - r.bytes);
    ArrayDeque<Reservation> q = byOwner.get(owner);
    if (q != null) {
      q.remove(r);
      if (q.isEmpty()) {
        byOwner.remove(owner);
      }
    }
  }

  /** Returns the bytes reserved now. */
  long total() {
    synchronized (lock) {
      return total;
    }
  }

  /** Returns how many reservations were evicted for smaller holders. */
  long evicted() {
    synchronized (lock) {
      return evicted;
    }
  }
}
