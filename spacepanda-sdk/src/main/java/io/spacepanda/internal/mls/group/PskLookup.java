package io.spacepanda.internal.mls.group;

/**
 * Finds the secret of an external pre-shared key by its id (RFC 9420 §8.4).
 *
 * <p>Implementations must be safe to call from the thread that uses the group.
 */
@FunctionalInterface
public interface PskLookup {

  /** A lookup that knows no external PSK. */
  PskLookup NONE = id -> null;

  /**
   * Returns the secret of the external PSK with this id, or null when it is unknown.
   *
   * @param pskId the psk_id of a PreSharedKeyID of type external
   * @return the secret, or null
   */
  byte[] findOrNull(byte[] pskId);
}
