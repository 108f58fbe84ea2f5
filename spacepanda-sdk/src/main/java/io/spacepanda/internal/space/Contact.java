package io.spacepanda.internal.space;

import io.spacepanda.PeerId;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * How to reach a member: its PeerId, its X25519 inbox public key (for direct sealed envelopes) and
 * its transport addresses (multiaddr text, at most {@value SpaceConstants#MAX_ADDRESSES}, each at
 * most {@value SpaceConstants#MAX_ADDRESS_BYTES} bytes of printable ASCII; possibly none).
 *
 * <p>Immutable and thread-safe; compares by content. Nothing here is secret.
 */
public final class Contact {

  private final PeerId peer;
  private final byte[] inboxKey;
  private final List<String> addresses;

  /**
   * Creates a contact, checking and copying its parts.
   *
   * @param peer the member's PeerId
   * @param inboxKey the member's X25519 inbox public key, {@value SpaceConstants#INBOX_KEY_LENGTH}
   *     bytes, copied
   * @param addresses the member's transport addresses, copied
   * @throws IllegalArgumentException if the key length, the number of addresses or an address is
   *     out of bounds
   */
  public Contact(PeerId peer, byte[] inboxKey, List<String> addresses) {
    this.peer = Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(inboxKey, "inboxKey");
    if (inboxKey.length != SpaceConstants.INBOX_KEY_LENGTH) {
      throw new IllegalArgumentException(
          "inbox key must be " + SpaceConstants.INBOX_KEY_LENGTH + " bytes, got "
              + inboxKey.length);
    }
    this.inboxKey = inboxKey.clone();
    this.addresses = Names.checkAddresses(
        addresses, SpaceConstants.MAX_ADDRESSES, SpaceConstants.MAX_ADDRESS_BYTES);
  }

  /**
   * Returns the member's PeerId.
   *
   * @return the PeerId
   */
  public PeerId peer() {
    return peer;
  }

  /**
   * Returns the member's X25519 inbox public key.
   *
   * @return a fresh copy the caller owns
   */
  public byte[] inboxKey() {
    return inboxKey.clone();
  }

  /**
   * Returns the member's transport addresses.
   *
   * @return an immutable list, possibly empty
   */
  public List<String> addresses() {
    return addresses;
  }

  /** Writes inbox key and addresses, not the peer (callers write or imply it). */
  void writeDetails(WireWriter w) {
    w.fixed(inboxKey).addresses(addresses);
  }

  void write(WireWriter w) {
    w.peer(peer);
    writeDetails(w);
  }

  static Contact readDetails(PeerId peer, WireReader r) throws SpaceDecodeException {
    byte[] key = r.fixed(SpaceConstants.INBOX_KEY_LENGTH, "inbox key");
    List<String> addresses =
        r.addresses(SpaceConstants.MAX_ADDRESSES, SpaceConstants.MAX_ADDRESS_BYTES, "address");
    return new Contact(peer, key, addresses);
  }

  static Contact read(WireReader r) throws SpaceDecodeException {
    return readDetails(r.peer("contact peer"), r);
  }

  /**
   * Tells whether {@code o} is a contact with the same peer, key and addresses.
   *
   * @param o the other object
   * @return true if equal
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof Contact c
        && peer.equals(c.peer)
        && Arrays.equals(inboxKey, c.inboxKey)
        && addresses.equals(c.addresses);
  }

  /**
   * Returns a hash of the contact's parts.
   *
   * @return the hash code
   */
  @Override
  public int hashCode() {
    return Objects.hash(peer, Arrays.hashCode(inboxKey), addresses);
  }

  /**
   * Returns the peer, the first bytes of the inbox key and the addresses.
   *
   * @return the description
   */
  @Override
  public String toString() {
    return "Contact[" + peer + ", inbox=" + HexFormat.of().formatHex(inboxKey, 0, 4) + "…, "
        + addresses + "]";
  }
}
