package io.spacepanda.spi;

import java.time.Instant;

/**
 * An invite this node issued, known by the hash of its secret; the secret itself is never stored.
 *
 * <p>{@code expiresAt} has millisecond precision (the constructor truncates). An invite is used at
 * most once: {@link StorageTransaction#redeemInvite} marks it used atomically.
 *
 * @param secretHash the hash of the invite secret
 * @param expiresAt when the invite stops being valid, by the local clock
 * @param used whether the invite was redeemed
 */
public record Invite(Id secretHash, Instant expiresAt, boolean used) {

  /**
   * Creates an invite record, checking its parts.
   *
   * @param secretHash the hash of the invite secret
   * @param expiresAt when the invite stops being valid, by the local clock
   * @param used whether the invite was redeemed
   * @throws IllegalArgumentException if a part is null
   */
  public Invite {
    Checks.notNull(secretHash, "secretHash");
    expiresAt = Checks.millis(expiresAt, "expiresAt");
  }
}
