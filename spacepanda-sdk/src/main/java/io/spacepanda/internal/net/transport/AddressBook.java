package io.spacepanda.internal.net.transport;

import io.spacepanda.PeerId;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where peers can be reached: at most {@code maxPeers} peers with at most {@code
 * maxAddressesPerPeer} full multiaddrs each; the peer added or refreshed least recently and a
 * peer's oldest address give way first. Thread-safe (one lock).
 */
final class AddressBook {

  private final int maxPeers;
  private final int maxAddressesPerPeer;
  private final Map<PeerId, LinkedHashSet<Multiaddr>> byPeer; // guarded by this
  private Set<InetAddress> knownAddresses; // guarded by this; null when it must be rebuilt

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
    knownAddresses = null;
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
   * Returns whether some peer's address is the IP address {@code address} (any port); addresses by
   * DNS name never match. Rebuilds its index only after the book changed, so it is cheap to ask for
   * every inbound connection.
   *
   * @param address a remote IP address
   * @return whether a known peer listens there
   */
  synchronized boolean knowsAddress(InetAddress address) {
    if (knownAddresses == null) {
      Set<InetAddress> out = new HashSet<>();
      for (LinkedHashSet<Multiaddr> set : byPeer.values()) {
        for (Multiaddr m : set) {
          String text = m.toString();
          String host = m.tcpHostOrNull();
          if (host != null && (text.startsWith("/ip4/") || text.startsWith("/ip6/"))) {
            try {
              out.add(InetAddress.getByName(host)); // an IP literal: no name lookup
            } catch (UnknownHostException e) {
              // not an IP literal after all: such an address matches nothing
            }
          }
        }
      }
      knownAddresses = out;
    }
    return knownAddresses.contains(address);
  }

  /**
   * Returns every peer's addresses (newest first), most recently added or refreshed peer first.
   *
   * @return a snapshot
   */
  synchronized Map<PeerId, List<Multiaddr>> snapshot() {
    // iterate entries: get() would count as an access and reorder the map
    List<Map.Entry<PeerId, LinkedHashSet<Multiaddr>>> order = new ArrayList<>(byPeer.entrySet());
    java.util.Collections.reverse(order);
    Map<PeerId, List<Multiaddr>> out = new LinkedHashMap<>();
    for (Map.Entry<PeerId, LinkedHashSet<Multiaddr>> e : order) {
      List<Multiaddr> a = new ArrayList<>(e.getValue());
      java.util.Collections.reverse(a);
      out.put(e.getKey(), a);
    }
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
