package io.spacepanda.spi;

/** The outcome of {@link StorageTransaction#redeemInvite}: whether this call used the invite up. */
public enum InviteRedemption {
  /** The invite existed, was unused and unexpired, and is now marked used by this call. */
  REDEEMED,
  /** The invite was already used; nothing changed. */
  ALREADY_USED,
  /** The invite's expiry has passed; nothing changed. */
  EXPIRED,
  /** No invite has that secret hash; nothing changed. */
  UNKNOWN
}
