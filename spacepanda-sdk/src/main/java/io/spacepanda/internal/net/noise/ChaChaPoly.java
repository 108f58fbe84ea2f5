package io.spacepanda.internal.net.noise;

import io.spacepanda.internal.crypto.ChaChaPolyAead;
import java.security.GeneralSecurityException;
import java.util.Objects;

/**
 * ChaCha20-Poly1305 (RFC 8439) for one {@link CipherState}: a key, used with the Noise nonce of
 * each frame (Noise spec §12.3: 32 zero bits, then the 64-bit counter little-endian).
 *
 * <p>Design: a thin adapter over {@link ChaChaPolyAead}, the implementation the envelopes use, so
 * that the transport gets the fastest engine of the running JDK too (issue 15): on JDKs with
 * ChaCha20 and Poly1305 intrinsics (20 and later) the JDK's Cipher for every frame; on older ones
 * BouncyCastle's engine for frames under {@value ChaChaPolyAead#PURE_JAVA_CROSSOVER} bytes (most
 * envelope frames: the JDK's {@code Cipher.init} costs more than the cipher itself there) and the
 * JDK's for larger ones; BouncyCastle's alone when the JDK lacks the cipher. Either way one
 * engine is kept per CipherState and re-initialized per frame (the JCA forbids reusing a nonce and
 * offers no nonce-only reset). Not thread-safe.
 */
final class ChaChaPoly {

  private final ChaChaPolyAead aead;
  private byte[] key;

  private ChaChaPoly(ChaChaPolyAead aead) {
    this.aead = aead;
  }

  /** @return an engine of the implementation {@link ChaChaPolyAead} picks, without a key */
  static ChaChaPoly create() {
    return new ChaChaPoly(ChaChaPolyAead.create());
  }

  /** @return an engine on the JDK's Cipher alone (tests, benchmarks) */
  static ChaChaPoly jca() {
    return new ChaChaPoly(ChaChaPolyAead.jca());
  }

  /** @return an engine on BouncyCastle's alone (tests, benchmarks) */
  static ChaChaPoly bouncyCastle() {
    return new ChaChaPoly(ChaChaPolyAead.bouncyCastle());
  }

  /** @return which implementation {@link #create()} returns, for logs and tests */
  static String implementation() {
    return ChaChaPolyAead.implementation();
  }

  /** Sets the key for the following calls. */
  void setKey(byte[] k) {
    key = Objects.requireNonNull(k, "key");
  }

  /**
   * @return ciphertext and 16-byte tag of {@code len} bytes at {@code off}
   */
  byte[] seal(long nonce, byte[] ad, byte[] in, int off, int len) {
    byte[] out = new byte[len + NoiseConstants.TAG_BYTES];
    aead.seal(key, nonceBytes(nonce), ad, 0, ad.length, in, off, len, out, 0);
    return out;
  }

  /**
   * @return the plaintext of {@code len} bytes of ciphertext and tag at {@code off}
   * @throws GeneralSecurityException if the tag does not verify
   */
  byte[] open(long nonce, byte[] ad, byte[] in, int off, int len)
      throws GeneralSecurityException {
    if (len < NoiseConstants.TAG_BYTES) {
      throw new javax.crypto.AEADBadTagException("ciphertext shorter than the tag");
    }
    byte[] out = new byte[len - NoiseConstants.TAG_BYTES];
    aead.open(key, nonceBytes(nonce), ad, 0, ad.length, in, off, len, out, 0);
    return out;
  }

  /**
   * Seals {@code len} bytes at {@code off} into {@code out} at {@code outOff} (ciphertext then
   * tag, {@code len + 16} bytes) with empty associated data.
   *
   * @return the bytes written
   */
  int sealInto(long nonce, byte[] in, int off, int len, byte[] out, int outOff) {
    return aead.seal(key, nonceBytes(nonce), null, 0, 0, in, off, len, out, outOff);
  }

  /**
   * Opens {@code len} bytes of ciphertext and tag at {@code off} into {@code out} at {@code
   * outOff} ({@code len - 16} bytes) with empty associated data. On failure the output region
   * may hold unauthenticated bytes, which the caller discards.
   *
   * @return the bytes written
   * @throws GeneralSecurityException if the tag does not verify
   */
  int openInto(long nonce, byte[] in, int off, int len, byte[] out, int outOff)
      throws GeneralSecurityException {
    return aead.open(key, nonceBytes(nonce), null, 0, 0, in, off, len, out, outOff);
  }

  /** A fresh array per frame: engines may keep a reference to the nonce they were given. */
  static byte[] nonceBytes(long nonce) {
    byte[] iv = new byte[12];
    for (int i = 0; i < 8; i++) {
      iv[4 + i] = (byte) (nonce >>> (8 * i));
    }
    return iv;
  }
}
