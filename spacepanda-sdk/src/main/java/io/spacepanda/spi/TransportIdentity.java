package io.spacepanda.spi;

/**
 * The node's identity key as a transport may use it: the public key and signing, never the private
 * key itself.
 */
public interface TransportIdentity {

  /**
   * Returns the Ed25519 public identity key.
   *
   * @return 32 bytes, a copy
   */
  byte[] publicKey();

  /**
   * Signs data with the identity key (Ed25519, RFC 8032).
   *
   * @param data the data
   * @return the 64-byte signature
   */
  byte[] sign(byte[] data);
}
