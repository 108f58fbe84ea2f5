package io.spacepanda.internal.net.noise;

import io.spacepanda.internal.net.noise.NoiseException.Kind;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * A Noise CipherState (Noise spec §5.1) for ChaChaPoly: a key and a 64-bit nonce counter.
 *
 * <p>Nonces are 32 zero bits followed by the counter in little-endian (§12.3); the counter never
 * wraps: the 2^64-1st message fails. Without a key, encryption and decryption return their input
 * (as during the first handshake message). Not thread-safe; each direction owns one instance.
 *
 * <p>The AEAD is a {@link ChaChaPoly} over the envelopes' {@code ChaChaPolyAead} (the fastest
 * engine of the running JDK), built once per CipherState and re-keyed in place.
 */
final class CipherState {

  private static final byte[] NO_AD = new byte[0];

  private boolean hasKey;
  private long nonce;
  private ChaChaPoly aead;

  void initializeKey(byte[] k) {
    hasKey = k != null;
    nonce = 0;
    if (hasKey) {
      if (aead == null) {
        aead = ChaChaPoly.create();
      }
      aead.setKey(k.clone());
    }
  }

  boolean hasKey() {
    return hasKey;
  }

  long nonce() {
    return nonce;
  }

  byte[] encryptWithAd(byte[] ad, byte[] plaintext, int off, int len) throws NoiseException {
    if (!hasKey) {
      return Arrays.copyOfRange(plaintext, off, off + len);
    }
    checkNonce();
    byte[] out = aead.seal(nonce, ad == null ? NO_AD : ad, plaintext, off, len);
    nonce++;
    return out;
  }

  byte[] decryptWithAd(byte[] ad, byte[] ciphertext, int off, int len) throws NoiseException {
    if (!hasKey) {
      return Arrays.copyOfRange(ciphertext, off, off + len);
    }
    if (len < NoiseConstants.TAG_BYTES) {
      throw new NoiseException(Kind.DECRYPTION_FAILED, "decryption failed");
    }
    checkNonce();
    try {
      byte[] out = aead.open(nonce, ad == null ? NO_AD : ad, ciphertext, off, len);
      nonce++;
      return out;
    } catch (GeneralSecurityException e) {
      throw new NoiseException(Kind.DECRYPTION_FAILED, "decryption failed");
    }
  }

  /**
   * Encrypts {@code len} bytes with empty associated data into {@code out} at {@code outOff}
   * ({@code len + 16} bytes); requires a key.
   *
   * @return the bytes written
   */
  int encryptInto(byte[] in, int off, int len, byte[] out, int outOff) throws NoiseException {
    checkNonce();
    int n = aead.sealInto(nonce, in, off, len, out, outOff);
    nonce++;
    return n;
  }

  /**
   * Decrypts {@code len} bytes of ciphertext and tag with empty associated data into {@code out}
   * at {@code outOff} ({@code len - 16} bytes); requires a key. The output must not overlap the
   * input.
   *
   * @return the bytes written
   */
  int decryptInto(byte[] in, int off, int len, byte[] out, int outOff) throws NoiseException {
    if (len < NoiseConstants.TAG_BYTES) {
      throw new NoiseException(Kind.DECRYPTION_FAILED, "decryption failed");
    }
    checkNonce();
    try {
      int n = aead.openInto(nonce, in, off, len, out, outOff);
      nonce++;
      return n;
    } catch (GeneralSecurityException e) {
      throw new NoiseException(Kind.DECRYPTION_FAILED, "decryption failed");
    }
  }

  private void checkNonce() throws NoiseException {
    if (nonce == -1L) {
      throw new NoiseException(Kind.MALFORMED, "nonce exhausted");
    }
  }
}
