package io.spacepanda.internal.net.noise;

import java.nio.charset.StandardCharsets;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * A Noise SymmetricState (Noise spec §5.2) over SHA-256: chaining key, handshake hash and a
 * CipherState. Not thread-safe.
 */
final class SymmetricState {

  private byte[] ck;
  private byte[] h;
  private final CipherState cipher = new CipherState();

  SymmetricState(String protocolName) {
    byte[] name = protocolName.getBytes(StandardCharsets.US_ASCII);
    if (name.length <= NoiseConstants.KEY_BYTES) {
      h = new byte[NoiseConstants.KEY_BYTES];
      System.arraycopy(name, 0, h, 0, name.length);
    } else {
      h = sha256(name);
    }
    ck = h.clone();
  }

  void mixKey(byte[] ikm) {
    byte[][] out = hkdf(ck, ikm);
    ck = out[0];
    cipher.initializeKey(out[1]);
  }

  void mixHash(byte[] data) {
    SHA256Digest d = new SHA256Digest();
    d.update(h, 0, h.length);
    d.update(data, 0, data.length);
    byte[] out = new byte[32];
    d.doFinal(out, 0);
    h = out;
  }

  byte[] encryptAndHash(byte[] plaintext) throws NoiseException {
    byte[] c = cipher.encryptWithAd(h, plaintext, 0, plaintext.length);
    mixHash(c);
    return c;
  }

  byte[] decryptAndHash(byte[] ciphertext) throws NoiseException {
    byte[] p = cipher.decryptWithAd(h, ciphertext, 0, ciphertext.length);
    mixHash(ciphertext);
    return p;
  }

  boolean hasKey() {
    return cipher.hasKey();
  }

  byte[] handshakeHash() {
    return h.clone();
  }

  CipherState[] split() {
    byte[][] out = hkdf(ck, new byte[0]);
    CipherState c1 = new CipherState();
    c1.initializeKey(out[0]);
    CipherState c2 = new CipherState();
    c2.initializeKey(out[1]);
    return new CipherState[] {c1, c2};
  }

  static byte[] sha256(byte[] data) {
    SHA256Digest d = new SHA256Digest();
    d.update(data, 0, data.length);
    byte[] out = new byte[32];
    d.doFinal(out, 0);
    return out;
  }

  /** HKDF of Noise spec §4.3 with two outputs. */
  static byte[][] hkdf(byte[] chainingKey, byte[] ikm) {
    byte[] tempKey = hmac(chainingKey, ikm);
    byte[] out1 = hmac(tempKey, new byte[] {1});
    byte[] in2 = new byte[out1.length + 1];
    System.arraycopy(out1, 0, in2, 0, out1.length);
    in2[out1.length] = 2;
    byte[] out2 = hmac(tempKey, in2);
    return new byte[][] {out1, out2};
  }

  private static byte[] hmac(byte[] key, byte[] data) {
    HMac m = new HMac(new SHA256Digest());
    m.init(new KeyParameter(key));
    m.update(data, 0, data.length);
    byte[] out = new byte[32];
    m.doFinal(out, 0);
    return out;
  }
}
