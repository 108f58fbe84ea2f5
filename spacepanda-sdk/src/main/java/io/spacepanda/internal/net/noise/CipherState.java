package io.spacepanda.internal.net.noise;

import io.spacepanda.internal.net.noise.NoiseException.Kind;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * A Noise CipherState (Noise spec §5.1) for ChaChaPoly: a key and a 64-bit nonce counter.
 *
 * <p>Nonces are 32 zero bits followed by the counter in little-endian (§12.3); the counter never
 * wraps: the 2^64-1st message fails. Without a key, encryption and decryption return their input
 * (as during the first handshake message). Not thread-safe; each direction owns one instance.
 *
 * <p>The AEAD is the JDK's {@code ChaCha20-Poly1305} (SunJCE, RFC 8439): on JDK 17 it runs about
 * twice as fast as BouncyCastle's lightweight engine, and later JDKs add intrinsics for both.
 */
final class CipherState {

  private byte[] key;
  private long nonce;
  private Cipher aead;

  void initializeKey(byte[] k) {
    key = k == null ? null : k.clone();
    nonce = 0;
  }

  boolean hasKey() {
    return key != null;
  }

  long nonce() {
    return nonce;
  }

  byte[] encryptWithAd(byte[] ad, byte[] plaintext, int off, int len) throws NoiseException {
    if (key == null) {
      return Arrays.copyOfRange(plaintext, off, off + len);
    }
    try {
      init(Cipher.ENCRYPT_MODE, ad);
      byte[] out = aead.doFinal(plaintext, off, len);
      nonce++;
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("encryption cannot fail", e);
    }
  }

  byte[] decryptWithAd(byte[] ad, byte[] ciphertext, int off, int len) throws NoiseException {
    if (key == null) {
      return Arrays.copyOfRange(ciphertext, off, off + len);
    }
    if (len < NoiseConstants.TAG_BYTES) {
      throw new NoiseException(Kind.DECRYPTION_FAILED, "decryption failed");
    }
    try {
      init(Cipher.DECRYPT_MODE, ad);
      byte[] out = aead.doFinal(ciphertext, off, len);
      nonce++;
      return out;
    } catch (GeneralSecurityException e) {
      throw new NoiseException(Kind.DECRYPTION_FAILED, "decryption failed");
    }
  }

  private void init(int mode, byte[] ad) throws NoiseException, GeneralSecurityException {
    if (nonce == -1L) {
      throw new NoiseException(Kind.MALFORMED, "nonce exhausted");
    }
    if (aead == null) {
      aead = Cipher.getInstance("ChaCha20-Poly1305");
    }
    byte[] iv = new byte[12];
    for (int i = 0; i < 8; i++) {
      iv[4 + i] = (byte) (nonce >>> (8 * i));
    }
    aead.init(mode, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(iv));
    if (ad != null && ad.length > 0) {
      aead.updateAAD(ad);
    }
  }
}
