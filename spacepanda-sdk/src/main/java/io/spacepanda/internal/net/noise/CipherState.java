package io.spacepanda.internal.net.noise;

import io.spacepanda.internal.net.noise.NoiseException.Kind;
import java.util.Arrays;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * A Noise CipherState (Noise spec §5.1) for ChaChaPoly: a key and a 64-bit nonce counter.
 *
 * <p>Nonces are 32 zero bits followed by the counter in little-endian (§12.3); the counter never
 * wraps: the 2^64-1st message fails. Without a key, encryption and decryption return their input
 * (as during the first handshake message). Not thread-safe; each direction owns one instance.
 */
final class CipherState {

  private byte[] key;
  private long nonce;
  private final ChaCha20Poly1305 aead = new ChaCha20Poly1305();
  private final byte[] nonceBytes = new byte[12];

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
    init(true, ad);
    byte[] out = new byte[len + NoiseConstants.TAG_BYTES];
    int n = aead.processBytes(plaintext, off, len, out, 0);
    try {
      aead.doFinal(out, n);
    } catch (InvalidCipherTextException e) {
      throw new IllegalStateException("encryption cannot fail", e);
    }
    nonce++;
    return out;
  }

  byte[] decryptWithAd(byte[] ad, byte[] ciphertext, int off, int len) throws NoiseException {
    if (key == null) {
      return Arrays.copyOfRange(ciphertext, off, off + len);
    }
    if (len < NoiseConstants.TAG_BYTES) {
      throw new NoiseException(Kind.DECRYPTION_FAILED, "decryption failed");
    }
    init(false, ad);
    byte[] out = new byte[len - NoiseConstants.TAG_BYTES];
    int n = aead.processBytes(ciphertext, off, len, out, 0);
    try {
      aead.doFinal(out, n);
    } catch (InvalidCipherTextException e) {
      throw new NoiseException(Kind.DECRYPTION_FAILED, "decryption failed");
    }
    nonce++;
    return out;
  }

  private void init(boolean encrypt, byte[] ad) throws NoiseException {
    if (nonce == -1L) {
      throw new NoiseException(Kind.MALFORMED, "nonce exhausted");
    }
    long n = nonce;
    for (int i = 0; i < 8; i++) {
      nonceBytes[4 + i] = (byte) (n >>> (8 * i));
    }
    aead.init(encrypt, new AEADParameters(new KeyParameter(key), 128, nonceBytes, ad));
  }
}
