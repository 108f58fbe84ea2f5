package io.spacepanda.internal.mls.schedule;

/**
 * Bounds that keep a {@link SecretTree} safe against hostile senders (RFC 9420 §9.2, §15.3).
 *
 * @param maxForwardDistance how far ahead of a ratchet's next generation a received message may
 *     be; a message further ahead is rejected before any key is derived, so a forged generation
 *     near 2^32 costs nothing
 * @param maxSkippedKeysPerSender how many keys of skipped generations each ratchet keeps for
 *     messages that arrive out of order; the oldest is forgotten first
 * @param evictSkippedKeys true to forget the oldest skipped keys when more are needed (their
 *     messages then never decrypt); false to refuse such a message with {@link
 *     io.spacepanda.internal.mls.MlsGenerationAheadException} before deriving anything, so that it
 *     can be kept and tried again once the earlier messages arrived
 */
public record SecretTreeLimits(int maxForwardDistance, int maxSkippedKeysPerSender,
    boolean evictSkippedKeys) {

  /** Defaults: 1000 generations ahead, 256 skipped keys per ratchet, oldest evicted. */
  public static final SecretTreeLimits DEFAULT = new SecretTreeLimits(1000, 256);

  /**
   * Bounds that evict the oldest skipped keys.
   *
   * @param maxForwardDistance at least 0
   * @param maxSkippedKeysPerSender at least 0
   */
  public SecretTreeLimits(int maxForwardDistance, int maxSkippedKeysPerSender) {
    this(maxForwardDistance, maxSkippedKeysPerSender, true);
  }

  /**
   * Checks the bounds.
   *
   * @param maxForwardDistance at least 0
   * @param maxSkippedKeysPerSender at least 0
   * @throws IllegalArgumentException naming a negative value
   */
  public SecretTreeLimits {
    if (maxForwardDistance < 0) {
      throw new IllegalArgumentException("maxForwardDistance < 0: " + maxForwardDistance);
    }
    if (maxSkippedKeysPerSender < 0) {
      throw new IllegalArgumentException("maxSkippedKeysPerSender < 0: " + maxSkippedKeysPerSender);
    }
  }
}
