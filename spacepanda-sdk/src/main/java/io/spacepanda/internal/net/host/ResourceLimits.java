package io.spacepanda.internal.net.host;

import java.time.Duration;
import java.util.Objects;

/**
 * Node-wide bounds of the {@link ResourceManager}: memory, connections and streams per scope, and
 * the no-progress deadline of streams that announced data.
 *
 * @param maxMemory bytes all streams together may reserve (the node-wide memory budget); when it
 *     is exhausted, the peer holding most gives way (see {@link ResourceManager})
 * @param maxMemoryPerPeer bytes the streams of one peer may reserve, over all its connections
 * @param maxMemoryPerConnection bytes the streams of one connection may reserve
 * @param maxMemoryPerStream bytes one stream may reserve
 * @param maxConnectionsPerPeer upgraded connections to or from one peer at once
 * @param maxInboundStreamsPerPeer inbound streams of one peer open at once, all protocols
 * @param defaultProtocol the limits of a protocol that registered none
 * @param stallTimeout how long a stream that reserved memory for announced bytes may go without
 *     receiving any before it is reset
 */
public record ResourceLimits(
    long maxMemory,
    long maxMemoryPerPeer,
    long maxMemoryPerConnection,
    long maxMemoryPerStream,
    int maxConnectionsPerPeer,
    int maxInboundStreamsPerPeer,
    ProtocolLimits defaultProtocol,
    Duration stallTimeout) {

  /** Default node-wide memory budget: 64 MiB. */
  public static final long DEFAULT_MAX_MEMORY = 64L << 20;

  /** Default memory of one peer: 16 MiB, a quarter of the node-wide budget. */
  public static final long DEFAULT_MAX_MEMORY_PER_PEER = 16L << 20;

  /** Default memory of one stream: 2 MiB, above the largest envelope (1 MiB) with its framing. */
  public static final long DEFAULT_MAX_MEMORY_PER_STREAM = 2L << 20;

  /** Default connections per peer: a simultaneous dial needs two, reconnects briefly more. */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_PEER = 4;

  /** Default inbound streams of one peer over all protocols. */
  public static final int DEFAULT_MAX_INBOUND_STREAMS_PER_PEER = 256;

  /**
   * Default no-progress deadline: a stream that announced bytes and then receives none for 5 s is
   * reset. A link that delivers nothing for 5 s on an open stream is not one worth waiting for.
   */
  public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(5);

  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException naming a value that is not positive
   */
  public ResourceLimits {
    positive(maxMemory, "maxMemory");
    positive(maxMemoryPerPeer, "maxMemoryPerPeer");
    positive(maxMemoryPerConnection, "maxMemoryPerConnection");
    positive(maxMemoryPerStream, "maxMemoryPerStream");
    positive(maxConnectionsPerPeer, "maxConnectionsPerPeer");
    positive(maxInboundStreamsPerPeer, "maxInboundStreamsPerPeer");
    Objects.requireNonNull(defaultProtocol, "defaultProtocol");
    Objects.requireNonNull(stallTimeout, "stallTimeout");
    if (stallTimeout.isZero() || stallTimeout.isNegative()) {
      throw new IllegalArgumentException("stallTimeout must be positive: " + stallTimeout);
    }
  }

  /**
   * Returns the defaults: 64 MiB node-wide, 16 MiB per peer and per connection, 2 MiB per stream,
   * 4 connections and 256 inbound streams per peer, {@link ProtocolLimits#defaults()}, 5 s stall
   * deadline.
   *
   * @return the defaults
   */
  public static ResourceLimits defaults() {
    return new ResourceLimits(DEFAULT_MAX_MEMORY, DEFAULT_MAX_MEMORY_PER_PEER,
        DEFAULT_MAX_MEMORY_PER_PEER, DEFAULT_MAX_MEMORY_PER_STREAM, DEFAULT_MAX_CONNECTIONS_PER_PEER,
        DEFAULT_MAX_INBOUND_STREAMS_PER_PEER, ProtocolLimits.defaults(), DEFAULT_STALL_TIMEOUT);
  }

  /**
   * Returns a copy with another node-wide memory budget.
   *
   * @param value bytes, positive
   * @return the copy
   */
  public ResourceLimits withMaxMemory(long value) {
    return new ResourceLimits(value, maxMemoryPerPeer, maxMemoryPerConnection, maxMemoryPerStream,
        maxConnectionsPerPeer, maxInboundStreamsPerPeer, defaultProtocol, stallTimeout);
  }

  /**
   * Returns a copy with other per-peer and per-connection memory limits.
   *
   * @param perPeer bytes per peer, positive
   * @param perConnection bytes per connection, positive
   * @return the copy
   */
  public ResourceLimits withMemoryPerPeer(long perPeer, long perConnection) {
    return new ResourceLimits(maxMemory, perPeer, perConnection, maxMemoryPerStream,
        maxConnectionsPerPeer, maxInboundStreamsPerPeer, defaultProtocol, stallTimeout);
  }

  /**
   * Returns a copy with another per-stream memory limit.
   *
   * @param value bytes, positive
   * @return the copy
   */
  public ResourceLimits withMaxMemoryPerStream(long value) {
    return new ResourceLimits(maxMemory, maxMemoryPerPeer, maxMemoryPerConnection, value,
        maxConnectionsPerPeer, maxInboundStreamsPerPeer, defaultProtocol, stallTimeout);
  }

  /**
   * Returns a copy with other connection and stream counts per peer.
   *
   * @param connections connections per peer, positive
   * @param inboundStreams inbound streams per peer, positive
   * @return the copy
   */
  public ResourceLimits withPerPeerCounts(int connections, int inboundStreams) {
    return new ResourceLimits(maxMemory, maxMemoryPerPeer, maxMemoryPerConnection,
        maxMemoryPerStream, connections, inboundStreams, defaultProtocol, stallTimeout);
  }

  /**
   * Returns a copy with another stall deadline.
   *
   * @param value positive
   * @return the copy
   */
  public ResourceLimits withStallTimeout(Duration value) {
    return new ResourceLimits(maxMemory, maxMemoryPerPeer, maxMemoryPerConnection,
        maxMemoryPerStream, maxConnectionsPerPeer, maxInboundStreamsPerPeer, defaultProtocol, value);
  }

  private static void positive(long v, String name) {
    if (v < 1) {
      throw new IllegalArgumentException(name + " must be positive: " + v);
    }
  }
}
