package io.spacepanda.internal.net.host;

/**
 * Bounds of one protocol in the {@link ResourceManager}: how many inbound streams it may have open
 * per peer and in all, and how much memory its streams may reserve together. A protocol registers
 * its limits with {@link ResourceManager#setProtocolLimits}; one that does not gets {@link
 * ResourceLimits#defaultProtocol()}.
 *
 * @param maxInboundStreamsPerPeer inbound streams of this protocol one peer may have open
 * @param maxInboundStreams inbound streams of this protocol open at once, all peers
 * @param maxMemory bytes the streams of this protocol may reserve together; a cap, refused beyond
 *     without eviction (only the node-wide budget evicts), so that a new protocol cannot take the
 *     budget others need
 */
public record ProtocolLimits(int maxInboundStreamsPerPeer, int maxInboundStreams, long maxMemory) {

  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException naming a value that is not positive, or a per-peer count
   *     above the total
   */
  public ProtocolLimits {
    if (maxInboundStreamsPerPeer < 1 || maxInboundStreams < 1 || maxMemory < 1) {
      throw new IllegalArgumentException("protocol limits must be positive: " + maxInboundStreamsPerPeer
          + ", " + maxInboundStreams + ", " + maxMemory);
    }
    if (maxInboundStreamsPerPeer > maxInboundStreams) {
      throw new IllegalArgumentException("maxInboundStreamsPerPeer " + maxInboundStreamsPerPeer
          + " exceeds maxInboundStreams " + maxInboundStreams);
    }
  }

  /**
   * Returns the limits of a protocol that registered none: 128 inbound streams per peer, 4,096 in
   * all, 16 MiB.
   *
   * @return the defaults
   */
  public static ProtocolLimits defaults() {
    return new ProtocolLimits(128, 4096, 16L << 20);
  }
}
