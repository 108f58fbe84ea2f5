package io.spacepanda.internal.net.noise;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * ChaCha20-Poly1305 (RFC 8439) for one {@link CipherState}: a key, re-initialized with the Noise
 * nonce for every frame (Noise spec §12.3: 32 zero bits, then the 64-bit counter little-endian).
 *
 * <p>Design: two implementations behind this class, chosen once per JVM by {@link #create()}. The
 * JDK's {@code ChaCha20-Poly1305} Cipher (SunJCE) is used when the JDK has it and it passes the
 * RFC 8439 §2.8.2 vector; BouncyCastle's lightweight engine otherwise (a provider setup without
 * ChaCha20, e.g. a FIPS configuration). Measured on 64 KiB frames ({@code ChaChaPolyBenchmark}),
 * the JDK's is faster everywhere we ran it: 1.1–1.9 times on JDK 17 (both pure Java), about 20
 * times on JDK 25 (intrinsics for ChaCha20 since JDK 20 and Poly1305 since 19), so BouncyCastle is
 * only the fallback. Both re-initialize per frame: the JCA forbids reusing a nonce, and so the key
 * object is built once per key and only the nonce changes. Not thread-safe.
 */
abstract class ChaChaPoly {

  /** True if the JDK's Cipher is used: probed once. */
  private static final boolean JCA = jcaWorks();

  /** @return an engine without a key */
  static ChaChaPoly create() {
    return JCA ? new Jca() : new BouncyCastle();
  }

  /** @return which implementation {@link #create()} returns, for logs and tests */
  static String implementation() {
    return JCA ? "JCA" : "BouncyCastle";
  }

  /** Sets the key for the following calls. */
  abstract void setKey(byte[] key);

  /**
   * @return ciphertext and 16-byte tag of {@code len} bytes at {@code off}
   */
  abstract byte[] seal(long nonce, byte[] ad, byte[] in, int off, int len);

  /**
   * @return the plaintext of {@code len} bytes of ciphertext and tag at {@code off}
   * @throws GeneralSecurityException if the tag does not verify
   */
  abstract byte[] open(long nonce, byte[] ad, byte[] in, int off, int len)
      throws GeneralSecurityException;

  /**
   * Seals {@code len} bytes at {@code off} into {@code out} at {@code outOff} (ciphertext then
   * tag, {@code len + 16} bytes) with empty associated data; no allocation on the JCA path.
   *
   * @return the bytes written
   */
  abstract int sealInto(long nonce, byte[] in, int off, int len, byte[] out, int outOff);

  /**
   * Opens {@code len} bytes of ciphertext and tag at {@code off} into {@code out} at {@code
   * outOff} ({@code len - 16} bytes) with empty associated data.
   *
   * @return the bytes written
   * @throws GeneralSecurityException if the tag does not verify
   */
  abstract int openInto(long nonce, byte[] in, int off, int len, byte[] out, int outOff)
      throws GeneralSecurityException;

  static byte[] nonceBytes(long nonce) {
    byte[] iv = new byte[12];
    for (int i = 0; i < 8; i++) {
      iv[4 + i] = (byte) (nonce >>> (8 * i));
    }
    return iv;
  }

  /** RFC 8439 §2.8.2, truncated plaintext: the JDK's Cipher must exist and agree. */
  private static boolean jcaWorks() {
    HexFormat hex = HexFormat.of();
    byte[] key = hex.parseHex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    byte[] nonce = hex.parseHex("070000004041424344454647");
    byte[] aad = hex.parseHex("50515253c0c1c2c3c4c5c6c7");
    byte[] plaintext = "Ladies and Gentlemen of the class of '99: If I could offer you only one tip"
        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    try {
      Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
      c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
      c.updateAAD(aad);
      byte[] jca = c.doFinal(plaintext);
      ChaCha20Poly1305 bc = new ChaCha20Poly1305();
      bc.init(true, new AEADParameters(new KeyParameter(key), 128, nonce, aad));
      byte[] expected = new byte[bc.getOutputSize(plaintext.length)];
      bc.doFinal(expected, bc.processBytes(plaintext, 0, plaintext.length, expected, 0));
      return Arrays.equals(jca, expected)
          && hex.formatHex(jca, 0, 8).equals("d31a8d34648e60db");
    } catch (GeneralSecurityException | InvalidCipherTextException | RuntimeException e) {
      return false;
    }
  }

  /** The JDK's SunJCE Cipher. */
  static final class Jca extends ChaChaPoly {
    private final Cipher cipher;
    private SecretKeySpec key;

    Jca() {
      try {
        cipher = Cipher.getInstance("ChaCha20-Poly1305");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("ChaCha20-Poly1305 passed its self-test", e);
      }
    }

    @Override
    void setKey(byte[] k) {
      key = new SecretKeySpec(k, "ChaCha20");
    }

    @Override
    byte[] seal(long nonce, byte[] ad, byte[] in, int off, int len) {
      try {
        cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(nonceBytes(nonce)));
        if (ad.length > 0) {
          cipher.updateAAD(ad);
        }
        return cipher.doFinal(in, off, len);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("encryption cannot fail", e);
      }
    }

    @Override
    byte[] open(long nonce, byte[] ad, byte[] in, int off, int len)
        throws GeneralSecurityException {
      cipher.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(nonceBytes(nonce)));
      if (ad.length > 0) {
        cipher.updateAAD(ad);
      }
      return cipher.doFinal(in, off, len);
    }

    @Override
    int sealInto(long nonce, byte[] in, int off, int len, byte[] out, int outOff) {
      try {
        cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(nonceBytes(nonce)));
        return cipher.doFinal(in, off, len, out, outOff);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("encryption cannot fail", e);
      }
    }

    @Override
    int openInto(long nonce, byte[] in, int off, int len, byte[] out, int outOff)
        throws GeneralSecurityException {
      cipher.init(Cipher.DECRYPT_MODE, key, new IvParameterSpec(nonceBytes(nonce)));
      return cipher.doFinal(in, off, len, out, outOff);
    }
  }

  /** BouncyCastle's lightweight engine. */
  static final class BouncyCastle extends ChaChaPoly {
    private final ChaCha20Poly1305 engine = new ChaCha20Poly1305();
    private KeyParameter key;

    @Override
    void setKey(byte[] k) {
      key = new KeyParameter(k);
    }

    @Override
    byte[] seal(long nonce, byte[] ad, byte[] in, int off, int len) {
      try {
        engine.init(true, new AEADParameters(key, 128, nonceBytes(nonce), ad));
        byte[] out = new byte[len + NoiseConstants.TAG_BYTES];
        engine.doFinal(out, engine.processBytes(in, off, len, out, 0));
        return out;
      } catch (InvalidCipherTextException e) {
        throw new IllegalStateException("encryption cannot fail", e);
      }
    }

    @Override
    byte[] open(long nonce, byte[] ad, byte[] in, int off, int len)
        throws GeneralSecurityException {
      engine.init(false, new AEADParameters(key, 128, nonceBytes(nonce), ad));
      byte[] out = new byte[len - NoiseConstants.TAG_BYTES];
      try {
        engine.doFinal(out, engine.processBytes(in, off, len, out, 0));
      } catch (InvalidCipherTextException e) {
        throw new javax.crypto.AEADBadTagException("decryption failed");
      }
      return out;
    }

    @Override
    int sealInto(long nonce, byte[] in, int off, int len, byte[] out, int outOff) {
      try {
        engine.init(true, new AEADParameters(key, 128, nonceBytes(nonce), null));
        int n = engine.processBytes(in, off, len, out, outOff);
        return n + engine.doFinal(out, outOff + n);
      } catch (InvalidCipherTextException e) {
        throw new IllegalStateException("encryption cannot fail", e);
      }
    }

    @Override
    int openInto(long nonce, byte[] in, int off, int len, byte[] out, int outOff)
        throws GeneralSecurityException {
      engine.init(false, new AEADParameters(key, 128, nonceBytes(nonce), null));
      try {
        int n = engine.processBytes(in, off, len, out, outOff);
        return n + engine.doFinal(out, outOff + n);
      } catch (InvalidCipherTextException e) {
        throw new javax.crypto.AEADBadTagException("decryption failed");
      }
    }
  }
}
