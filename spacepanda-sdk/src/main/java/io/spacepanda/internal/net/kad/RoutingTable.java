package io.spacepanda.internal.net.kad;

import io.spacepanda.PeerId;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Kademlia routing table (kad-dht spec, "Kademlia routing table"): one bucket of at most
 * {@code k} peers per common-prefix length with the local id, least recently seen first.
 *
 * <p>A full bucket does not take a new peer at once: {@link #offer} answers {@link Outcome#FULL}
 * and {@link #oldest} names the peer to ping; only when that ping fails does {@link #replace} swap
 * them (Kademlia's ping-before-evict, which favours long-lived peers).
 *
 * <p>Diversity filter: peers are grouped by their first IP address (IPv4 /16, IPv6 /32; loopback,
 * private and link-local addresses form no group, as they say nothing about who runs the host);
 * at most {@code maxPerGroupPerBucket} peers of one group in a bucket and {@code
 * maxPerGroupInTable} in the table, so one operator with one address block cannot fill a
 * bucket (an eclipse attack needs many networks).
 *
 * <p>Not thread-safe: {@link KadDht} guards it with its lock.
 */
public final class RoutingTable {

  /** What {@link #offer} did. */
  public enum Outcome {
    /** The peer was added. */
    ADDED,
    /** The peer was known; it is now the most recently seen and its addresses are updated. */
    UPDATED,
    /** The bucket is full; ping {@link #oldest} before evicting it. */
    FULL,
    /** Refused by the diversity filter, or the local peer itself. */
    REJECTED
  }

  private static final class Entry {
    KadPeer peer;
    final KadId id;
    final String group;

    Entry(KadPeer peer, KadId id, String group) {
      this.peer = peer;
      this.id = id;
      this.group = group;
    }
  }

  private final PeerId self;
  private final KadId selfId;
  private final int k;
  private final int maxPerGroupPerBucket;
  private final int maxPerGroupInTable;
  private final List<LinkedHashMap<PeerId, Entry>> buckets = new ArrayList<>();
  private final Map<PeerId, Entry> byPeer = new HashMap<>();
  private final Map<String, Integer> groupCount = new HashMap<>();
  private final long[] lastLookup = new long[KadId.BITS + 1];

  /**
   * Creates an empty table.
   *
   * @param self the local peer
   * @param k bucket size
   * @param maxPerGroupPerBucket diversity limit per bucket
   * @param maxPerGroupInTable diversity limit in the whole table
   */
  public RoutingTable(PeerId self, int k, int maxPerGroupPerBucket, int maxPerGroupInTable) {
    this.self = self;
    this.selfId = KadId.of(self.bytes());
    this.k = k;
    this.maxPerGroupPerBucket = maxPerGroupPerBucket;
    this.maxPerGroupInTable = maxPerGroupInTable;
    for (int i = 0; i <= KadId.BITS; i++) {
      buckets.add(new LinkedHashMap<>());
    }
  }

  /**
   * Returns the diversity group of a peer's addresses.
   *
   * @param addresses the peer's addresses
   * @return {@code ip4:a.b} or {@code ip6:xxxx:xxxx}, or null when no public IP address is known
   */
  static String group(List<Multiaddr> addresses) {
    for (Multiaddr m : addresses) {
      String text = m.toString();
      String host = m.tcpHostOrNull();
      if (host == null || !(text.startsWith("/ip4/") || text.startsWith("/ip6/"))) {
        continue;
      }
      InetAddress ip;
      try {
        ip = InetAddress.getByName(host); // an IP literal: no name lookup
      } catch (UnknownHostException e) {
        continue;
      }
      if (ip.isLoopbackAddress() || ip.isSiteLocalAddress() || ip.isLinkLocalAddress()
          || ip.isAnyLocalAddress()) {
        continue;
      }
      byte[] b = ip.getAddress();
      if (b.length == 4) {
        return "ip4:" + (b[0] & 0xFF) + "." + (b[1] & 0xFF);
      }
      return String.format("ip6:%02x%02x:%02x%02x", b[0], b[1], b[2], b[3]);
    }
    return null;
  }

  private int cpl(KadId id) {
    return Math.min(selfId.commonPrefixLength(id), KadId.BITS);
  }

  /**
   * Offers a peer that was seen alive.
   *
   * @param peer the peer with its addresses
   * @return what happened
   */
  public Outcome offer(KadPeer peer) {
    if (peer.id().equals(self)) {
      return Outcome.REJECTED;
    }
    Entry known = byPeer.get(peer.id());
    if (known != null) {
      LinkedHashMap<PeerId, Entry> b = buckets.get(cpl(known.id));
      b.remove(peer.id());
      if (!peer.addresses().isEmpty()) {
        known.peer = peer;
      }
      b.put(peer.id(), known);
      return Outcome.UPDATED;
    }
    KadId id = KadId.of(peer.id().bytes());
    LinkedHashMap<PeerId, Entry> b = buckets.get(cpl(id));
    String g = group(peer.addresses());
    if (g != null) {
      int inBucket = 0;
      for (Entry e : b.values()) {
        if (g.equals(e.group)) {
          inBucket++;
        }
      }
      if (inBucket >= maxPerGroupPerBucket || groupCount.getOrDefault(g, 0) >= maxPerGroupInTable) {
        return Outcome.REJECTED;
      }
    }
    if (b.size() >= k) {
      return Outcome.FULL;
    }
    Entry e = new Entry(peer, id, g);
    b.put(peer.id(), e);
    byPeer.put(peer.id(), e);
    if (g != null) {
      groupCount.merge(g, 1, Integer::sum);
    }
    return Outcome.ADDED;
  }

  /**
   * Returns the least recently seen peer of the bucket {@code peer} belongs in.
   *
   * @param peer a peer
   * @return the oldest peer there, or null when the bucket is empty
   */
  public KadPeer oldest(PeerId peer) {
    LinkedHashMap<PeerId, Entry> b = buckets.get(cpl(KadId.of(peer.bytes())));
    Iterator<Entry> it = b.values().iterator();
    return it.hasNext() ? it.next().peer : null;
  }

  /**
   * Replaces a peer that failed its ping by a new one, when the bucket still lacks room.
   *
   * @param stale the peer that did not answer
   * @param fresh the waiting peer
   * @return whether {@code fresh} was added
   */
  public boolean replace(PeerId stale, KadPeer fresh) {
    remove(stale);
    return offer(fresh) == Outcome.ADDED;
  }

  /**
   * Removes a peer.
   *
   * @param peer the peer
   * @return whether it was present
   */
  public boolean remove(PeerId peer) {
    Entry e = byPeer.remove(peer);
    if (e == null) {
      return false;
    }
    buckets.get(cpl(e.id)).remove(peer);
    if (e.group != null) {
      groupCount.merge(e.group, -1, (a, b) -> a + b == 0 ? null : a + b);
    }
    return true;
  }

  /**
   * Returns whether a peer is in the table.
   *
   * @param peer the peer
   * @return whether present
   */
  public boolean contains(PeerId peer) {
    return byPeer.containsKey(peer);
  }

  /**
   * Returns a peer's entry.
   *
   * @param peer the peer
   * @return its entry, or null
   */
  public KadPeer get(PeerId peer) {
    Entry e = byPeer.get(peer);
    return e == null ? null : e.peer;
  }

  /**
   * Returns the {@code n} peers closest to {@code target}.
   *
   * @param target the key's id
   * @param n how many
   * @return closest first
   */
  public List<KadPeer> closest(KadId target, int n) {
    List<Entry> all = new ArrayList<>(byPeer.values());
    all.sort(Comparator.comparing((Entry e) -> e.id, target::compareDistance));
    List<KadPeer> out = new ArrayList<>();
    for (int i = 0; i < Math.min(n, all.size()); i++) {
      out.add(all.get(i).peer);
    }
    return out;
  }

  /**
   * Returns every peer in the table.
   *
   * @return a snapshot
   */
  public List<KadPeer> peers() {
    List<KadPeer> out = new ArrayList<>();
    for (Entry e : byPeer.values()) {
      out.add(e.peer);
    }
    return out;
  }

  /**
   * Returns the number of peers.
   *
   * @return the count
   */
  public int size() {
    return byPeer.size();
  }

  /**
   * Records that a lookup ran for a key in bucket {@code cpl}.
   *
   * @param cpl the bucket's common prefix length
   * @param nowMillis the time
   */
  public void touched(int cpl, long nowMillis) {
    lastLookup[Math.min(cpl, KadId.BITS)] = nowMillis;
  }

  /**
   * Returns the buckets up to {@code maxCpl} that no lookup touched within {@code intervalMillis}.
   *
   * @param nowMillis the time
   * @param intervalMillis the refresh interval
   * @param maxCpl the largest bucket index refreshed
   * @return the bucket indexes to refresh
   */
  public List<Integer> staleBuckets(long nowMillis, long intervalMillis, int maxCpl) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i <= maxCpl; i++) {
      if (nowMillis - lastLookup[i] >= intervalMillis) {
        out.add(i);
      }
    }
    return out;
  }

  /**
   * Returns the common prefix length of a key's id with the local id.
   *
   * @param id the id
   * @return its bucket index
   */
  public int bucketOf(KadId id) {
    return cpl(id);
  }
}
