package io.spacepanda.internal.mls.schedule;

import java.security.MessageDigest;
import java.util.Objects;

/**
 * One AEAD key and nonce of a secret-tree ratchet, for one generation (RFC 9420 §9.1).
 *
 * <p>The arrays are handed over, not copied: the holder owns them and should not share them.
 * {@link #toString()} prints only the generation; {@link #equals(Object)} runs in constant time.
 *
 * @param generation the ratchet generation (uint32) the key belongs to
 * @param key {@code ratchet_key_[i]_[generation]}, AEAD.Nk bytes
 * @param nonce {@code ratchet_nonce_[i]_[generation]}, AEAD.Nn bytes
 */
public record MessageKey(long generation, byte[] key, byte[] nonce) {

  /**
   * Checks the components.
   *
   * @param generation the generation
   * @param key the key
   * @param nonce the nonce
   */
  public MessageKey {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(nonce, "nonce");
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof MessageKey)) {
      return false;
    }
    MessageKey m = (MessageKey) o;
    return generation == m.generation
        & MessageDigest.isEqual(key, m.key)
        & MessageDigest.isEqual(nonce, m.nonce);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(generation);
  }

  @Override
  public String toString() {
    return "MessageKey(generation=" + generation + ", key hidden)";
  }
}
