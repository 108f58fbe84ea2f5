package io.spacepanda.internal.mls.crypto;

/**
 * A private key and its public key, both in the encoding RFC 9420 puts on the wire (raw X25519 /
 * X448 / Ed25519 / Ed448 bytes, uncompressed SEC1 points and big-endian scalars for the NIST
 * curves). {@link #toString()} never shows the private key.
 *
 * @param privateKey the private key bytes (secret)
 * @param publicKey the public key bytes
 */
public record KeyPair(byte[] privateKey, byte[] publicKey) {

  @Override
  public String toString() {
    return "KeyPair[public=" + java.util.HexFormat.of().formatHex(publicKey) + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyPair k
        && java.security.MessageDigest.isEqual(privateKey, k.privateKey)
        && java.util.Arrays.equals(publicKey, k.publicKey);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(publicKey);
  }
}
