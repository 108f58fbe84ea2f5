package io.spacepanda.spi;

import io.spacepanda.PeerId;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Moves sealed envelopes between SpacePanda nodes: the plug-in point for networks.
 *
 * <p>A transport sees only opaque envelope bytes and the peers it is connected to; it never learns
 * which channel or sender an envelope belongs to. Delivery is acknowledged: {@link #send} completes
 * only after the recipient's node has durably stored the envelope (its {@link
 * TransportListener#onEnvelope} future completed), so a node can keep an envelope in its outbox
 * until then.
 *
 * <p>Implementations: the libp2p TCP transport (the default whenever networking is on) and the
 * simulated network for tests. A transport is created by its {@link Factory} with the node's
 * {@link TransportContext}; it must be thread-safe, and {@link #close()} must release every thread
 * and connection it started.
 */
public interface Transport extends AutoCloseable {

  /** Creates the transport of one node, given that node's resources. */
  @FunctionalInterface
  interface Factory {
    /**
     * Creates a transport; must not start any I/O before {@link Transport#start()}.
     *
     * @param context the node's identity, addresses and inbound listener
     * @return a new transport
     */
    Transport create(TransportContext context);
  }

  /**
   * Starts listening and connects to the bootstrap peers.
   *
   * @return completes when the transport accepts envelopes, exceptionally with a {@link
   *     TransportException} if it cannot listen
   */
  CompletableFuture<Void> start();

  /**
   * Returns the addresses other nodes can reach this one at, in the transport's own address form
   * (multiaddrs with a {@code /p2p/} suffix for libp2p); empty before {@link #start()}.
   *
   * @return the addresses, possibly empty
   */
  List<String> listenAddresses();

  /**
   * Tells the transport where a peer can be reached (from an invite code or the bootstrap list).
   *
   * @param peer the peer
   * @param address an address in the transport's form
   * @throws IllegalArgumentException if the address is malformed for this transport
   */
  void addPeerAddress(PeerId peer, String address);

  /**
   * Sends one envelope to one peer.
   *
   * @param recipient the peer
   * @param envelope the sealed envelope bytes; the transport must not modify them
   * @return completes once the recipient acknowledged storing the envelope, exceptionally with a
   *     {@link TransportException} when the peer cannot be reached or refused it
   */
  CompletableFuture<Void> send(PeerId recipient, byte[] envelope);

  /**
   * Finds where a peer can be reached now, by its id alone (peer routing, for instance through a
   * DHT), and remembers what it found for later sends. The default finds nothing.
   *
   * @param peer the peer
   * @return completes with the addresses found, in the transport's form, empty when none; never
   *     fails
   */
  default CompletableFuture<List<String>> findPeer(PeerId peer) {
    return CompletableFuture.completedFuture(List.of());
  }

  /**
   * Returns the peers this transport currently holds a connection to.
   *
   * @return an immutable snapshot
   */
  Set<PeerId> connectedPeers();

  /** Stops listening, closes every connection and releases every thread; idempotent. */
  @Override
  void close();
}
