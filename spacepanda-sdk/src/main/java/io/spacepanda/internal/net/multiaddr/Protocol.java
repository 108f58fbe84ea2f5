package io.spacepanda.internal.net.multiaddr;

/**
 * The multiaddr protocols this stack understands, with their multicodec codes.
 *
 * <p>Codes and value sizes follow the multiformats multiaddr protocols table (protocols.csv).
 */
public enum Protocol {
  /** IPv4 address, 4 bytes. */
  IP4(4, "ip4", 32),
  /** TCP port, 2 bytes big-endian. */
  TCP(6, "tcp", 16),
  /** IPv6 address, 16 bytes. */
  IP6(41, "ip6", 128),
  /** DNS name resolved to IPv4 only, varint-length-prefixed UTF-8. */
  DNS4(54, "dns4", -1),
  /** DNS name resolved to IPv6 only, varint-length-prefixed UTF-8. */
  DNS6(55, "dns6", -1),
  /** Peer id multihash, varint-length-prefixed; base58btc in text. */
  P2P(421, "p2p", -1),
  /** Circuit relay marker (libp2p/specs relay/circuit-v2.md addressing), no value. */
  P2P_CIRCUIT(290, "p2p-circuit", 0);

  private final int code;
  private final String text;
  private final int bits;

  Protocol(int code, String text, int bits) {
    this.code = code;
    this.text = text;
    this.bits = bits;
  }

  /**
   * Returns the multicodec code.
   *
   * @return the code written as a varint in binary multiaddrs
   */
  public int code() {
    return code;
  }

  /**
   * Returns the protocol's name in text multiaddrs.
   *
   * @return the name, such as {@code "tcp"}
   */
  public String text() {
    return text;
  }

  /**
   * Returns the fixed value size in bytes, or -1 for a length-prefixed value.
   *
   * @return the size in bytes or -1
   */
  public int fixedSize() {
    return bits < 0 ? -1 : bits / 8;
  }

  /**
   * Returns the protocol with the given code, or null.
   *
   * @param code a multicodec code
   * @return the protocol or null when unsupported
   */
  public static Protocol forCodeOrNull(long code) {
    for (Protocol p : values()) {
      if (p.code == code) {
        return p;
      }
    }
    return null;
  }

  /**
   * Returns the protocol with the given text name, or null; {@code ipfs} is an alias of {@code p2p}.
   *
   * @param name a protocol name
   * @return the protocol or null when unsupported
   */
  public static Protocol forTextOrNull(String name) {
    if ("ipfs".equals(name)) {
      return P2P;
    }
    for (Protocol p : values()) {
      if (p.text.equals(name)) {
        return p;
      }
    }
    return null;
  }
}
