package io.spacepanda.internal.crypto;

import java.security.SecureRandom;
import java.util.Objects;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;

/**
 * A node's X25519 inbox key pair: direct sealed envelopes are HPKE-encrypted to its public half
 * (README, "How it works": identity), which is published in invite codes.
 *
 * <p>Serialized form ({@link #exportPrivate()} / {@link #restore(SecretBytes)}): the 32-byte X25519
 * private key (RFC 7748 §5, as HPKE's {@code SerializePrivateKey} for DHKEM(X25519) defines it);
 * the public key is derived from it. Instances are immutable and thread-safe; {@code toString()}
 * shows only a short public-key fingerprint.
 */
public final class InboxKey {

  /** Length of an X25519 private or public key. */
  public static final int KEY_LENGTH = 32;

  private final SecretBytes privateKey;
  private final byte[] publicKey;

  private InboxKey(byte[] rawPrivate) {
    this.privateKey = SecretBytes.copyOf(rawPrivate);
    this.publicKey = new X25519PrivateKeyParameters(rawPrivate, 0).generatePublicKey().getEncoded();
  }

  /**
   * Generates a fresh inbox key.
   *
   * @param random a cryptographically secure source of randomness
   * @return the new key pair
   */
  public static InboxKey generate(SecureRandom random) {
    byte[] raw = new X25519PrivateKeyParameters(Objects.requireNonNull(random, "random")).getEncoded();
    try {
      return new InboxKey(raw);
    } finally {
      SecretBytes.wipe(raw);
    }
  }

  /**
   * Restores an inbox key from the form {@link #exportPrivate()} produced.
   *
   * @param serialized the 32-byte X25519 private key
   * @return the key pair
   * @throws KeyFormatException if the bytes are not 32 bytes long
   */
  public static InboxKey restore(SecretBytes serialized) throws KeyFormatException {
    Objects.requireNonNull(serialized, "serialized");
    if (serialized.length() != KEY_LENGTH) {
      throw new KeyFormatException("X25519 private key must be 32 bytes");
    }
    byte[] raw = serialized.exportSecret();
    try {
      return new InboxKey(raw);
    } finally {
      SecretBytes.wipe(raw);
    }
  }

  /**
   * Returns the private key, the serialized form of this key pair.
   *
   * @return the 32-byte X25519 private key; store it encrypted
   */
  public SecretBytes exportPrivate() {
    return privateKey;
  }

  /**
   * Returns the public key that senders encrypt direct envelopes to.
   *
   * @return a fresh copy of the 32-byte X25519 public key
   */
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /**
   * Describes the key by the first bytes of its public key.
   *
   * @return {@code InboxKey[pub=0a1b2c3d…]}
   */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("InboxKey[pub=");
    for (int i = 0; i < 4; i++) {
      sb.append(String.format("%02x", publicKey[i]));
    }
    return sb.append("…]").toString();
  }
}
