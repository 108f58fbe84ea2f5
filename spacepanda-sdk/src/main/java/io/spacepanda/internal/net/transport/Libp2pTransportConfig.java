package io.spacepanda.internal.net.transport;

import io.spacepanda.internal.net.host.AdmissionLimits;
import io.spacepanda.internal.net.host.HostConstants;
import java.time.Duration;
import java.util.Objects;

/**
 * Limits and timeouts of a {@link Libp2pTransport}; {@link #defaults()} holds the values of
 * {@link EnvelopeProtocolConstants} and {@link HostConstants}.
 *
 * @param maxEnvelopeBytes largest envelope sent or accepted
 * @param dialTimeout time for the TCP connect; the connection upgrade gets {@code
 *     handshakeTimeout} on top
 * @param handshakeTimeout time for multistream, Noise and muxer negotiation of a connection, and
 *     for an inbound stream to name its protocol
 * @param sendTimeout time from opening an envelope stream to the peer's acknowledgement
 * @param receiveTimeout time an inbound envelope stream has to deliver its whole envelope
 * @param idleTimeout time a connection without streams stays open
 * @param maxConnections largest number of connections
 * @param maxInboundStreamsPerConnection largest number of inbound envelope streams open at once
 *     on one connection; further ones are reset
 * @param maxKnownPeers largest number of peers in the address book (least recently added go
 *     first)
 * @param maxAddressesPerPeer largest number of addresses kept per peer (oldest go first)
 * @param maxInboundBufferedBytes largest number of bytes all inbound envelopes may hold at once,
 *     counted from each length prefix until its stream ends; a stream that would exceed it is reset
 * @param threads event loop threads of the host
 * @param admission limits on connections in their handshakes; inbound connections from addresses
 *     in the address book may use the reserved slots
 */
public record Libp2pTransportConfig(
    int maxEnvelopeBytes,
    Duration dialTimeout,
    Duration handshakeTimeout,
    Duration sendTimeout,
    Duration receiveTimeout,
    Duration idleTimeout,
    int maxConnections,
    int maxInboundStreamsPerConnection,
    int maxKnownPeers,
    int maxAddressesPerPeer,
    long maxInboundBufferedBytes,
    int threads,
    AdmissionLimits admission) {

  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException naming a value that is not positive
   * @throws NullPointerException if a duration is null
   */
  public Libp2pTransportConfig {
    positive(maxEnvelopeBytes, "maxEnvelopeBytes");
    positive(dialTimeout, "dialTimeout");
    positive(handshakeTimeout, "handshakeTimeout");
    positive(sendTimeout, "sendTimeout");
    positive(receiveTimeout, "receiveTimeout");
    positive(idleTimeout, "idleTimeout");
    positive(maxConnections, "maxConnections");
    positive(maxInboundStreamsPerConnection, "maxInboundStreamsPerConnection");
    positive(maxKnownPeers, "maxKnownPeers");
    positive(maxAddressesPerPeer, "maxAddressesPerPeer");
    if (maxInboundBufferedBytes < 1) {
      throw new IllegalArgumentException("maxInboundBufferedBytes must be positive: " + maxInboundBufferedBytes);
    }
    positive(threads, "threads");
    Objects.requireNonNull(admission, "admission");
    if (maxEnvelopeBytes > Integer.MAX_VALUE - EnvelopeProtocolConstants.MESSAGE_SLACK_BYTES) {
      throw new IllegalArgumentException("maxEnvelopeBytes too large: " + maxEnvelopeBytes);
    }
  }

  /**
   * Returns the default configuration.
   *
   * @return 1 MiB envelopes, 10 s dial and handshake, 30 s send and receive, the host's default
   *     connection limit and idle timeout, 32 inbound streams per connection, 1024 known peers with
   *     8 addresses each, 64 MiB of inbound envelopes in flight, 2 threads
   */
  public static Libp2pTransportConfig defaults() {
    return new Libp2pTransportConfig(
        EnvelopeProtocolConstants.DEFAULT_MAX_ENVELOPE_BYTES,
        EnvelopeProtocolConstants.DEFAULT_DIAL_TIMEOUT,
        HostConstants.DEFAULT_HANDSHAKE_TIMEOUT,
        EnvelopeProtocolConstants.DEFAULT_SEND_TIMEOUT,
        EnvelopeProtocolConstants.DEFAULT_RECEIVE_TIMEOUT,
        HostConstants.DEFAULT_IDLE_TIMEOUT,
        HostConstants.DEFAULT_MAX_CONNECTIONS,
        EnvelopeProtocolConstants.DEFAULT_MAX_INBOUND_STREAMS_PER_CONNECTION,
        EnvelopeProtocolConstants.DEFAULT_MAX_KNOWN_PEERS,
        EnvelopeProtocolConstants.DEFAULT_MAX_ADDRESSES_PER_PEER,
        EnvelopeProtocolConstants.DEFAULT_MAX_INBOUND_BUFFERED_BYTES,
        HostConstants.DEFAULT_THREADS,
        AdmissionLimits.defaults());
  }

  /**
   * Returns a copy with another envelope size limit.
   *
   * @param value bytes, positive
   * @return the copy
   */
  public Libp2pTransportConfig withMaxEnvelopeBytes(int value) {
    return new Libp2pTransportConfig(value, dialTimeout, handshakeTimeout, sendTimeout,
        receiveTimeout, idleTimeout, maxConnections, maxInboundStreamsPerConnection, maxKnownPeers,
        maxAddressesPerPeer, maxInboundBufferedBytes, threads, admission);
  }

  /**
   * Returns a copy with other dial and handshake timeouts.
   *
   * @param dial the TCP connect timeout
   * @param handshake the connection upgrade timeout
   * @return the copy
   */
  public Libp2pTransportConfig withDialTimeouts(Duration dial, Duration handshake) {
    return new Libp2pTransportConfig(maxEnvelopeBytes, dial, handshake, sendTimeout,
        receiveTimeout, idleTimeout, maxConnections, maxInboundStreamsPerConnection, maxKnownPeers,
        maxAddressesPerPeer, maxInboundBufferedBytes, threads, admission);
  }

  /**
   * Returns a copy with other send and receive timeouts.
   *
   * @param send time from stream open to acknowledgement
   * @param receive time an inbound stream has to deliver its envelope
   * @return the copy
   */
  public Libp2pTransportConfig withStreamTimeouts(Duration send, Duration receive) {
    return new Libp2pTransportConfig(maxEnvelopeBytes, dialTimeout, handshakeTimeout, send,
        receive, idleTimeout, maxConnections, maxInboundStreamsPerConnection, maxKnownPeers,
        maxAddressesPerPeer, maxInboundBufferedBytes, threads, admission);
  }

  /**
   * Returns a copy with another limit of inbound envelope streams per connection.
   *
   * @param value streams, positive
   * @return the copy
   */
  public Libp2pTransportConfig withMaxInboundStreamsPerConnection(int value) {
    return new Libp2pTransportConfig(maxEnvelopeBytes, dialTimeout, handshakeTimeout, sendTimeout,
        receiveTimeout, idleTimeout, maxConnections, value, maxKnownPeers, maxAddressesPerPeer,
        maxInboundBufferedBytes, threads, admission);
  }

  /**
   * Returns a copy with other address book bounds.
   *
   * @param peers largest number of peers
   * @param addressesPerPeer largest number of addresses per peer
   * @return the copy
   */
  public Libp2pTransportConfig withAddressBookBounds(int peers, int addressesPerPeer) {
    return new Libp2pTransportConfig(maxEnvelopeBytes, dialTimeout, handshakeTimeout, sendTimeout,
        receiveTimeout, idleTimeout, maxConnections, maxInboundStreamsPerConnection, peers,
        addressesPerPeer, maxInboundBufferedBytes, threads, admission);
  }

  /**
   * Returns a copy with another bound on bytes held by inbound envelopes.
   *
   * @param value bytes, positive
   * @return the copy
   */
  public Libp2pTransportConfig withMaxInboundBufferedBytes(long value) {
    return new Libp2pTransportConfig(maxEnvelopeBytes, dialTimeout, handshakeTimeout, sendTimeout,
        receiveTimeout, idleTimeout, maxConnections, maxInboundStreamsPerConnection, maxKnownPeers,
        maxAddressesPerPeer, value, threads, admission);
  }

  /**
   * Returns a copy with other pending-handshake limits.
   *
   * @param value the limits
   * @return the copy
   */
  public Libp2pTransportConfig withAdmission(AdmissionLimits value) {
    return new Libp2pTransportConfig(maxEnvelopeBytes, dialTimeout, handshakeTimeout, sendTimeout,
        receiveTimeout, idleTimeout, maxConnections, maxInboundStreamsPerConnection, maxKnownPeers,
        maxAddressesPerPeer, maxInboundBufferedBytes, threads, value);
  }

  private static void positive(int v, String name) {
    if (v < 1) {
      throw new IllegalArgumentException(name + " must be positive: " + v);
    }
  }

  private static void positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
  }
}
