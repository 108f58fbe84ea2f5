package io.spacepanda.internal.net.keys;

/** The libp2p {@code KeyType} protobuf enum (peer-ids spec, "Keys"). */
public enum KeyType {
  /** RSA: PKIX DER public key, PKCS#1 v1.5 signatures over SHA-256. */
  RSA(0),
  /** Ed25519: 32-byte public key, 64-byte signatures. */
  ED25519(1),
  /** secp256k1: 33-byte compressed point, DER ECDSA signatures over SHA-256. */
  SECP256K1(2),
  /** ECDSA (P-256 here): PKIX DER public key, DER ECDSA signatures over SHA-256. */
  ECDSA(3);

  private final int number;

  KeyType(int number) {
    this.number = number;
  }

  /**
   * Returns the protobuf enum number.
   *
   * @return the number written on the wire
   */
  public int number() {
    return number;
  }

  /**
   * Returns the key type with the given protobuf number, or null.
   *
   * @param number the wire value
   * @return the type or null when unknown
   */
  public static KeyType forNumberOrNull(long number) {
    for (KeyType t : values()) {
      if (t.number == number) {
        return t;
      }
    }
    return null;
  }
}
