package io.spacepanda.spi;

import io.spacepanda.PeerId;
import java.util.List;

/**
 * What a node gives its {@link Transport}: its identity, the configured addresses and the listener
 * for inbound envelopes.
 *
 * @param localPeer this node's peer id
 * @param identity signs with this node's identity key (libp2p handshakes need it)
 * @param listenAddresses addresses to listen on, as configured by {@code listen(…)}
 * @param bootstrapPeers addresses of peers to connect to at start, as configured by {@code
 *     bootstrap(…)}
 * @param listener receives inbound envelopes and connection events
 */
public record TransportContext(PeerId localPeer, TransportIdentity identity,
    List<String> listenAddresses, List<String> bootstrapPeers, TransportListener listener) {

  /**
   * Checks and copies the components.
   *
   * @param localPeer this node's peer id
   * @param identity signs with this node's identity key
   * @param listenAddresses addresses to listen on; copied
   * @param bootstrapPeers addresses of peers to connect to at start; copied
   * @param listener receives inbound envelopes and connection events
   * @throws NullPointerException if any component is null
   */
  public TransportContext {
    java.util.Objects.requireNonNull(localPeer, "localPeer");
    java.util.Objects.requireNonNull(identity, "identity");
    listenAddresses = List.copyOf(listenAddresses);
    bootstrapPeers = List.copyOf(bootstrapPeers);
    java.util.Objects.requireNonNull(listener, "listener");
  }
}
