package io.spacepanda.internal.net.kad;

import io.spacepanda.PeerId;
import io.spacepanda.internal.net.multiaddr.Multiaddr;
import java.util.List;
import java.util.Objects;

/**
 * A peer as DHT messages carry it: its id and the multiaddrs it is said to listen on (without
 * {@code /p2p/}); the addresses are hints, checked only by dialing (the Noise handshake proves the
 * id).
 *
 * @param id the peer id
 * @param addresses its addresses, at most {@link KadMessage#MAX_ADDRESSES_PER_PEER}
 */
public record KadPeer(PeerId id, List<Multiaddr> addresses) {

  /**
   * Checks and copies the components.
   *
   * @throws IllegalArgumentException when there are too many addresses
   */
  public KadPeer {
    Objects.requireNonNull(id, "id");
    addresses = List.copyOf(addresses);
    if (addresses.size() > KadMessage.MAX_ADDRESSES_PER_PEER) {
      throw new IllegalArgumentException("too many addresses");
    }
  }
}
