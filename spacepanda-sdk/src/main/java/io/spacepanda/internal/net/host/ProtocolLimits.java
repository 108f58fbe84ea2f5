package io.spacepanda.internal.net.host;

/**
 * Bounds of one protocol in the {@link ResourceManager}: how many inbound streams it may have open
 * per peer and in all, how much memory its streams may reserve together and each, and the largest
 * message it carries. A protocol registers its limits with {@link
 * ResourceManager#setProtocolLimits}; one that does not gets {@link
 * ResourceLimits#defaultProtocol()}.
 *
 * <p>Protocols carried inside envelopes rather than on streams of their own (mailbox deposits,
 * sync messages) use the same limits through {@link ResourceManager#admitMessage}: a message being
 * handled counts as an inbound stream of its sender, so the stream counts bound the messages of one
 * peer in flight at once.
 *
 * @param maxInboundStreamsPerPeer inbound streams (or messages in flight) of this protocol one peer
 *     may have open
 * @param maxInboundStreams inbound streams of this protocol open at once, all peers
 * @param maxMemory bytes the streams of this protocol may reserve together; a cap, refused beyond
 *     without eviction (only the node-wide budget evicts), so that a new protocol cannot take the
 *     budget others need
 * @param maxMemoryPerStream bytes one stream of this protocol may reserve (below the node-wide
 *     per-stream limit, which applies too)
 * @param maxMessageBytes the largest message of this protocol, as its decoder bounds it; {@link
 *     ResourceManager.StreamScope#checkMessage} and {@link ResourceManager#admitMessage} refuse
 *     larger ones
 */
public record ProtocolLimits(int maxInboundStreamsPerPeer, int maxInboundStreams, long maxMemory,
    long maxMemoryPerStream, int maxMessageBytes) {

  /**
   * Checks the values.
   *
   * @throws IllegalArgumentException naming a value that is not positive, or a per-peer count
   *     above the total
   */
  public ProtocolLimits {
    if (maxInboundStreamsPerPeer < 1 || maxInboundStreams < 1 || maxMemory < 1
        || maxMemoryPerStream < 1 || maxMessageBytes < 1) {
      throw new IllegalArgumentException("protocol limits must be positive: " + maxInboundStreamsPerPeer
          + ", " + maxInboundStreams + ", " + maxMemory + ", " + maxMemoryPerStream + ", "
          + maxMessageBytes);
    }
    if (maxInboundStreamsPerPeer > maxInboundStreams) {
      throw new IllegalArgumentException("maxInboundStreamsPerPeer " + maxInboundStreamsPerPeer
          + " exceeds maxInboundStreams " + maxInboundStreams);
    }
  }

  /**
   * Creates limits without a bound of their own per stream or message: each stream may reserve up
   * to {@code maxMemory}, a message may be as large.
   *
   * @param maxInboundStreamsPerPeer inbound streams of this protocol one peer may have open
   * @param maxInboundStreams inbound streams of this protocol open at once, all peers
   * @param maxMemory bytes the streams of this protocol may reserve together
   */
  public ProtocolLimits(int maxInboundStreamsPerPeer, int maxInboundStreams, long maxMemory) {
    this(maxInboundStreamsPerPeer, maxInboundStreams, maxMemory, maxMemory,
        (int) Math.min(Integer.MAX_VALUE, maxMemory));
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
