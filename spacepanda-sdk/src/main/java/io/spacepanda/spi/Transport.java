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
   * Connects to a peer without sending anything (reconnection to space members): uses an open
   * connection, the known addresses, then peer routing. The default cannot connect.
   *
   * @param peer the peer
   * @return completes once a connection is open, exceptionally with a {@link TransportException}
   *     when the peer cannot be reached
   */
  default CompletableFuture<Void> connect(PeerId peer) {
    return CompletableFuture.failedFuture(new TransportException("this transport cannot connect"));
  }

  /**
   * Returns a bounded snapshot of the address book worth keeping across a restart: peers with
   * their addresses and signed records, and the DHT routing table's peers. The node persists it
   * ({@link StorageTransaction#replaceKnownPeers}). The default keeps nothing.
   *
   * @return at most {@value KnownPeer#MAX_KNOWN_PEERS} entries
   */
  default List<KnownPeer> knownPeers() {
    return List.of();
  }

  /**
   * Gives back the address book persisted before a restart; called before {@link #start()}. The
   * transport treats the entries as hints: a routing-table peer re-enters the table only once it
   * answered. The default ignores them.
   *
   * @param peers the persisted entries
   */
  default void restoreKnownPeers(List<KnownPeer> peers) {}

  /**
   * Publishes an opaque rendezvous value under a 32-byte tag (in the libp2p transport: a DHT record
   * {@code /sp/rv/<tag>}). The value must start with its expiry as 8 big-endian epoch
   * milliseconds, at most 48 hours ahead; the value with the latest expiry wins. The default
   * publishes nothing.
   *
   * @param tag 32 bytes
   * @param value the value, at most 8 KiB
   * @return completes with whether at least one other peer stored it; never fails
   */
  default CompletableFuture<Boolean> putRendezvous(byte[] tag, byte[] value) {
    return CompletableFuture.completedFuture(false);
  }

  /**
   * Fetches the rendezvous value under a 32-byte tag. The default finds nothing.
   *
   * @param tag 32 bytes
   * @return completes with the value, empty when none was found; never fails
   */
  default CompletableFuture<java.util.Optional<byte[]>> getRendezvous(byte[] tag) {
    return CompletableFuture.completedFuture(java.util.Optional.empty());
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
