package io.spacepanda.spi;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One entry of a node's persisted address book: a peer, where it was last reachable, the signed
 * record it published about itself (if any), and whether it served the node's DHT routing table.
 *
 * <p>The transport decides what to keep ({@link Transport#knownPeers()}) and takes the entries back
 * after a restart ({@link Transport#restoreKnownPeers}); the store keeps them opaque, at most
 * {@value #MAX_KNOWN_PEERS} of them. Addresses are hints: the transport checks a restored peer
 * before it trusts it (the handshake proves the id).
 *
 * @param peer the peer's PeerId bytes as an {@link Id}
 * @param addresses its addresses in the transport's form, at most {@value #MAX_ADDRESSES} of at
 *     most {@value #MAX_ADDRESS_LENGTH} characters
 * @param signedRecord the peer's own signed record (a libp2p signed peer record envelope), or
 *     empty; at most {@value #MAX_RECORD_LENGTH} bytes
 * @param routing whether the peer was in the DHT routing table
 * @param seenAt when the peer was last known to be reachable (millisecond precision)
 */
public record KnownPeer(Id peer, List<String> addresses, byte[] signedRecord, boolean routing,
    Instant seenAt) {

  /** The most entries a store keeps. */
  public static final int MAX_KNOWN_PEERS = 2048;

  /** The most addresses per entry. */
  public static final int MAX_ADDRESSES = 16;

  /** The longest address, in characters. */
  public static final int MAX_ADDRESS_LENGTH = 512;

  /** The longest signed record, in bytes. */
  public static final int MAX_RECORD_LENGTH = 4096;

  /**
   * Checks and copies the parts.
   *
   * @param peer the peer
   * @param addresses its addresses
   * @param signedRecord its signed record or empty
   * @param routing whether it was in the routing table
   * @param seenAt when it was last reachable
   * @throws IllegalArgumentException if a part is null or exceeds its limit
   */
  public KnownPeer {
    Checks.notNull(peer, "peer");
    Checks.notNull(addresses, "addresses");
    if (addresses.size() > MAX_ADDRESSES) {
      throw new IllegalArgumentException("more than " + MAX_ADDRESSES + " addresses");
    }
    for (String a : addresses) {
      if (a == null || a.length() > MAX_ADDRESS_LENGTH) {
        throw new IllegalArgumentException("address null or longer than " + MAX_ADDRESS_LENGTH);
      }
    }
    addresses = List.copyOf(addresses);
    signedRecord = Checks.copy(signedRecord, "signedRecord", MAX_RECORD_LENGTH);
    seenAt = Checks.millis(seenAt, "seenAt");
  }

  /**
   * Returns a copy of the signed record.
   *
   * @return a new array, empty when none is known
   */
  @Override
  public byte[] signedRecord() {
    return signedRecord.clone();
  }

  /**
   * Returns whether the other object is an entry with equal parts.
   *
   * @param o the object to compare with
   * @return true if every part is equal, the record by content
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof KnownPeer k && k.peer.equals(peer) && k.addresses.equals(addresses)
        && Arrays.equals(k.signedRecord, signedRecord) && k.routing == routing
        && k.seenAt.equals(seenAt);
  }

  /**
   * Returns a hash code consistent with {@link #equals}.
   *
   * @return the hash code
   */
  @Override
  public int hashCode() {
    return Objects.hash(peer, addresses, Arrays.hashCode(signedRecord), routing, seenAt);
  }

  /**
   * Returns a description without the record bytes.
   *
   * @return the text
   */
  @Override
  public String toString() {
    return "KnownPeer[" + peer + ", " + addresses.size() + " addresses, routing=" + routing + "]";
  }
}
