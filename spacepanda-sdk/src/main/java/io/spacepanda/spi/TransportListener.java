package io.spacepanda.spi;

import io.spacepanda.PeerId;
import java.util.concurrent.CompletableFuture;

/**
 * Receives what a {@link Transport} gets from the network. Called from transport threads; an
 * implementation must not block them.
 */
public interface TransportListener {

  /**
   * An envelope arrived. The transport acknowledges it to the sender only when the returned future
   * completes normally; if it completes exceptionally, the envelope is not acknowledged.
   *
   * @param connectionPeer the peer whose connection delivered it (a relay or the sender; never
   *     proof of who wrote it)
   * @param envelope the envelope bytes, a copy the listener may keep
   * @return completes once the node stored (or deliberately dropped) the envelope
   */
  CompletableFuture<Void> onEnvelope(PeerId connectionPeer, byte[] envelope);

  /**
   * A connection to a peer was established.
   *
   * @param peer the peer
   */
  default void onPeerConnected(PeerId peer) {}

  /**
   * The last connection to a peer was lost.
   *
   * @param peer the peer
   */
  default void onPeerLost(PeerId peer) {}
}
