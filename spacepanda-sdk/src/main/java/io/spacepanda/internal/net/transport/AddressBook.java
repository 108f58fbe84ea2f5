package io.spacepanda.internal.net.transport;

import io.spacepanda.PeerId;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * Where peers can be reached: at most {@code maxPeers} peers with at most {@code
 * maxAddressesPerPeer} full multiaddrs each; the peer added or refreshed least recently and a
 * peer's oldest address give way first. Thread-safe (one lock).
 */
final class AddressBook {

  private final int maxPeers;
  private final int maxAddressesPerPeer;
  private final Map<PeerId, LinkedHashSet<Multiaddr>> byPeer; // guarded by this

  AddressBook(int maxPeers, int maxAddressesPerPeer) {
    this.maxPeers = maxPeers;
    this.maxAddressesPerPeer = maxAddressesPerPeer;
    this.byPeer = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<PeerId, LinkedHashSet<Multiaddr>> eldest) {
        return size() > AddressBook.this.maxPeers;
      }
    };
  }

  /**
   * Records an address; an address already known moves to the newest place.
   *
   * @param peer the peer
   * @param address a dialable address ending in the peer's {@code /p2p/} id
   */
  synchronized void add(PeerId peer, Multiaddr address) {
    LinkedHashSet<Multiaddr> set = byPeer.computeIfAbsent(peer, p -> new LinkedHashSet<>());
    set.remove(address);
    set.add(address);
    Iterator<Multiaddr> it = set.iterator();
    while (set.size() > maxAddressesPerPeer) {
      it.next();
      it.remove();
    }
  }

  /**
   * Returns the known addresses of a peer, newest first.
   *
   * @param peer the peer
   * @return a snapshot, empty when none is known
   */
  synchronized List<Multiaddr> addresses(PeerId peer) {
    LinkedHashSet<Multiaddr> set = byPeer.get(peer);
    if (set == null) {
      return List.of();
    }
    List<Multiaddr> out = new ArrayList<>(set);
    java.util.Collections.reverse(out);
    return out;
  }

  /**
   * Returns the number of peers with addresses.
   *
   * @return the count
   */
  synchronized int peerCount() {
    return byPeer.size();
  }
}
