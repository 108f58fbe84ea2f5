package io.spacepanda.internal.mls;

/**
 * Thrown for a message that cannot be opened yet without forgetting the keys of earlier messages
 * of the same sender that have not arrived: its generation is further ahead than the receiver
 * keeps keys for (RFC 9420 §9.2, §15.3).
 *
 * <p>Only thrown when the group's configuration says not to evict skipped keys ({@code
 * MlsConfig.evictSkippedKeys(false)}). Nothing was derived or changed; the caller keeps the
 * message and tries again after the earlier ones arrived.
 */
public final class MlsGenerationAheadException extends MlsException {

  /**
   * @param message a fixed description of the failure
   */
  public MlsGenerationAheadException(String message) {
    super(message);
  }
}
