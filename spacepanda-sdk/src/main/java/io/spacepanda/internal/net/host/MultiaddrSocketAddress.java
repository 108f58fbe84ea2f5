package io.spacepanda.internal.net.host;

import io.spacepanda.internal.net.multiaddr.Multiaddr;
import java.net.SocketAddress;
import java.util.Objects;

/**
 * A socket address that is a multiaddr: the address of a channel that is not a TCP socket, such as
 * a connection relayed over a stream ({@code …/p2p/<relay>/p2p-circuit/p2p/<peer>}).
 *
 * <p>Immutable.
 */
public final class MultiaddrSocketAddress extends SocketAddress {

  private static final long serialVersionUID = 1L;

  private final transient Multiaddr multiaddr;

  /**
   * Wraps a multiaddr.
   *
   * @param multiaddr the address
   */
  public MultiaddrSocketAddress(Multiaddr multiaddr) {
    this.multiaddr = Objects.requireNonNull(multiaddr, "multiaddr");
  }

  /**
   * Returns the multiaddr.
   *
   * @return the address
   */
  public Multiaddr multiaddr() {
    return multiaddr;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MultiaddrSocketAddress m && m.multiaddr.equals(multiaddr);
  }

  @Override
  public int hashCode() {
    return multiaddr.hashCode();
  }

  @Override
  public String toString() {
    return multiaddr.toString();
  }
}
