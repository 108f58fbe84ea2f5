package io.spacepanda.internal.node;

import io.spacepanda.PeerId;
import java.util.HashMap;
import java.util.Map;

/**
 * Counts work items queued per peer, with a bound per peer and in all, so that one peer's flood
 * holds a bounded share of a queue others use (issue 14). Thread-safe.
 */
final class PeerSlots {

  private final int perPeer;
  private final int total;
  private final Map<PeerId, Integer> used = new HashMap<>(); // guarded by this
  private int all; // guarded by this

  PeerSlots(int perPeer, int total) {
    this.perPeer = perPeer;
    this.total = total;
  }

  /** Takes a slot for {@code peer}; false if the peer or everyone holds the bound. */
  synchronized boolean tryAcquire(PeerId peer) {
    int n = used.getOrDefault(peer, 0);
    if (n >= perPeer || all >= total) {
      return false;
    }
    used.put(peer, n + 1);
    all++;
    return true;
  }

  /** Returns a slot taken for {@code peer}. */
  synchronized void release(PeerId peer) {
    Integer n = used.get(peer);
    if (n == null) {
      return;
    }
    if (n <= 1) {
      used.remove(peer);
    } else {
      used.put(peer, n - 1);
    }
    all--;
  }

  /** Returns the slots {@code peer} holds. */
  synchronized int held(PeerId peer) {
    return used.getOrDefault(peer, 0);
  }
}
