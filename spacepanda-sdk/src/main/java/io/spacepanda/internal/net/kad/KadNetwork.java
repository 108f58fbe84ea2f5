package io.spacepanda.internal.net.kad;

import java.util.concurrent.CompletableFuture;

/**
 * How a {@link KadDht} reaches other peers: one request, at most one response. The libp2p binding
 * is {@link HostKadNetwork}; tests plug in a simulated network.
 */
public interface KadNetwork {

  /**
   * Sends a request to a peer and waits for its response.
   *
   * @param peer the peer with its addresses
   * @param request the request
   * @return completes with the response (null for {@code ADD_PROVIDER}, which has none), or fails
   *     when the peer cannot be reached, resets the stream or answers garbage
   */
  CompletableFuture<KadMessage> send(KadPeer peer, KadMessage request);
}
