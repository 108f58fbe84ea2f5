package io.spacepanda.internal.crypto;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * ChaCha20-Poly1305 (RFC 8439) for one-shot seals and opens under a fresh key each time, as the
 * envelopes use it (a group envelope's per-envelope key, a direct envelope's HPKE key): one
 * engine per thread ({@link #forThread()}), reused across calls instead of built per call.
 *
 * <p>Design: two implementations, chosen once per JVM. On a JDK with ChaCha20 and Poly1305
 * intrinsics (JDK 20 and later) the JDK's {@code ChaCha20-Poly1305} Cipher is used for every size
 * (measured on JDK 25: 2.7× BouncyCastle's speed at 256 bytes, 30× at 4 KiB). On older JDKs both
 * are pure Java and the JDK's {@code Cipher.init} has a larger fixed cost, so inputs shorter than
 * {@value #PURE_JAVA_CROSSOVER} bytes (most envelopes) go to BouncyCastle's engine and longer ones
 * to the JDK's ({@code GroupAeadBenchmark}). The system property {@code spacepanda.chacha} =
 * {@code jca} or {@code bc} forces one (for benchmarks); the JDK's Cipher is used only if it
 * passes the RFC 8439 §2.8.2 vector. The Noise transport uses it too ({@code
 * internal.net.noise.ChaChaPoly}, one engine per direction of a connection).
 *
 * <p>Instances are not thread-safe; {@link #forThread()} confines one to each thread.
 */
public abstract class ChaChaPolyAead {

  /** Length of the authentication tag appended to each ciphertext. */
  public static final int TAG_LENGTH = 16;

  /** Length of the key. */
  public static final int KEY_LENGTH = 32;

  /** Length of the nonce. */
  public static final int NONCE_LENGTH = 12;

  /**
   * On JDKs without intrinsics, inputs shorter than this go to BouncyCastle and longer ones to the
   * JDK (measured crossover on JDK 17: BouncyCastle about 1.8× faster at 256 bytes, even at 1 KiB,
   * the JDK 1.5× faster at 4 KiB).
   */
  public static final int PURE_JAVA_CROSSOVER = 2048;

  /** 2: the JDK's for every size; 1: by size ({@link #PURE_JAVA_CROSSOVER}); 0: BouncyCastle. */
  private static final int MODE = chooseMode();

  private static final ThreadLocal<ChaChaPolyAead> LOCAL =
      ThreadLocal.withInitial(ChaChaPolyAead::create);

  ChaChaPolyAead() {}

  /** @return this thread's engine */
  public static ChaChaPolyAead forThread() {
    return LOCAL.get();
  }

  /** @return a new engine of the chosen implementation */
  public static ChaChaPolyAead create() {
    return MODE == 2 ? new Jca() : MODE == 1 ? new BySize() : new BouncyCastle();
  }

  /** @return a new engine on the JDK's Cipher (for benchmarks and tests) */
  public static ChaChaPolyAead jca() {
    return new Jca();
  }

  /** @return a new engine on BouncyCastle's lightweight engine (for benchmarks and tests) */
  public static ChaChaPolyAead bouncyCastle() {
    return new BouncyCastle();
  }

  /** @return "JCA" or "BouncyCastle": which one {@link #forThread()} uses */
  public static String implementation() {
    return MODE == 2 ? "JCA" : MODE == 1 ? "BouncyCastle below " + PURE_JAVA_CROSSOVER
        + " bytes, JCA above" : "BouncyCastle";
  }

  /**
   * Encrypts {@code len} bytes at {@code off} into {@code out} at {@code outOff}: ciphertext then
   * tag, {@code len + 16} bytes. {@code out} must not overlap the input.
   *
   * @param key 32 bytes
   * @param nonce 12 bytes
   * @param aad associated data array (may be null when {@code aadLen} is 0)
   * @param aadOff offset of the associated data
   * @param aadLen length of the associated data
   * @param in plaintext array
   * @param off plaintext offset
   * @param len plaintext length
   * @param out output array
   * @param outOff output offset
   * @return the bytes written
   */
  public abstract int seal(byte[] key, byte[] nonce, byte[] aad, int aadOff, int aadLen,
      byte[] in, int off, int len, byte[] out, int outOff);

  /**
   * Decrypts and authenticates {@code len} bytes of ciphertext and tag at {@code off} into {@code
   * out} at {@code outOff} ({@code len - 16} bytes). Nothing is written on failure with the JDK's
   * Cipher; with BouncyCastle the output region may hold unauthenticated bytes, which the caller
   * must discard.
   *
   * @param key 32 bytes
   * @param nonce 12 bytes
   * @param aad associated data array (may be null when {@code aadLen} is 0)
   * @param aadOff offset of the associated data
   * @param aadLen length of the associated data
   * @param in ciphertext array
   * @param off ciphertext offset
   * @param len ciphertext length including the tag, at least 16
   * @param out output array
   * @param outOff output offset
   * @return the bytes written
   * @throws AEADBadTagException if authentication fails
   */
  public abstract int open(byte[] key, byte[] nonce, byte[] aad, int aadOff, int aadLen,
      byte[] in, int off, int len, byte[] out, int outOff) throws AEADBadTagException;

  private static int chooseMode() {
    String forced = System.getProperty("spacepanda.chacha", "");
    if (forced.equals("bc") || !jcaWorks()) {
      return 0;
    }
    return forced.equals("jca") || Runtime.version().feature() >= 20 ? 2 : 1;
  }

  /** RFC 8439 §2.8.2: the JDK's Cipher must exist and agree with BouncyCastle and the vector. */
  private static boolean jcaWorks() {
    HexFormat hex = HexFormat.of();
    byte[] key = hex.parseHex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    byte[] nonce = hex.parseHex("070000004041424344454647");
    byte[] aad = hex.parseHex("50515253c0c1c2c3c4c5c6c7");
    byte[] plaintext = "Ladies and Gentlemen of the class of '99: If I could offer you only one tip"
        .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    try {
      byte[] jca = new byte[plaintext.length + TAG_LENGTH];
      new Jca().seal(key, nonce, aad, 0, aad.length, plaintext, 0, plaintext.length, jca, 0);
      byte[] bc = new byte[plaintext.length + TAG_LENGTH];
      new BouncyCastle().seal(key, nonce, aad, 0, aad.length, plaintext, 0, plaintext.length, bc,
          0);
      return Arrays.equals(jca, bc) && hex.formatHex(jca, 0, 8).equals("d31a8d34648e60db");
    } catch (RuntimeException | LinkageError e) {
      return false;
    }
  }

  /** BouncyCastle for short inputs, the JDK for long ones: for JDKs without intrinsics. */
  private static final class BySize extends ChaChaPolyAead {
    private final ChaChaPolyAead small = new BouncyCastle();
    private final ChaChaPolyAead large = new Jca();

    @Override
    public int seal(byte[] key, byte[] nonce, byte[] aad, int aadOff, int aadLen, byte[] in,
        int off, int len, byte[] out, int outOff) {
      return (len < PURE_JAVA_CROSSOVER ? small : large)
          .seal(key, nonce, aad, aadOff, aadLen, in, off, len, out, outOff);
    }

    @Override
    public int open(byte[] key, byte[] nonce, byte[] aad, int aadOff, int aadLen, byte[] in,
        int off, int len, byte[] out, int outOff) throws AEADBadTagException {
      return (len < PURE_JAVA_CROSSOVER ? small : large)
          .open(key, nonce, aad, aadOff, aadLen, in, off, len, out, outOff);
    }
  }

  /** The JDK's SunJCE Cipher, one instance reused; one {@code init} per call. */
  private static final class Jca extends ChaChaPolyAead {
    private Cipher cipher = newCipher();

    private static Cipher newCipher() {
      try {
        return Cipher.getInstance("ChaCha20-Poly1305");
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("ChaCha20-Poly1305 unavailable", e);
      }
    }

    @Override
    public int seal(byte[] key, byte[] nonce, byte[] aad, int aadOff, int aadLen, byte[] in,
        int off, int len, byte[] out, int outOff) {
      try {
        SecretKeySpec k = new SecretKeySpec(key, "ChaCha20");
        try {
          cipher.init(Cipher.ENCRYPT_MODE, k, new IvParameterSpec(nonce));
        } catch (java.security.InvalidKeyException e) {
          // the JDK refuses to encrypt twice in a row under the key and nonce it holds (a retried
          // copy sealed again with the same derived key): a fresh Cipher has no memory of it
          cipher = newCipher();
          cipher.init(Cipher.ENCRYPT_MODE, k, new IvParameterSpec(nonce));
        }
        if (aadLen > 0) {
          cipher.updateAAD(aad, aadOff, aadLen);
        }
        return cipher.doFinal(in, off, len, out, outOff);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("encryption cannot fail", e);
      }
    }

    @Override
    public int open(byte[] key, byte[] nonce, byte[] aad, int aadOff, int aadLen, byte[] in,
        int off, int len, byte[] out, int outOff) throws AEADBadTagException {
      if (len < TAG_LENGTH) {
        throw new AEADBadTagException("ciphertext shorter than the tag");
      }
      try {
        SecretKeySpec k = new SecretKeySpec(key, "ChaCha20");
        try {
          cipher.init(Cipher.DECRYPT_MODE, k, new IvParameterSpec(nonce));
        } catch (java.security.InvalidKeyException e) {
          // same refusal as in seal, also when decrypting (e.g. opening what this thread sealed)
          cipher = newCipher();
          cipher.init(Cipher.DECRYPT_MODE, k, new IvParameterSpec(nonce));
        }
        if (aadLen > 0) {
          cipher.updateAAD(aad, aadOff, aadLen);
        }
        return cipher.doFinal(in, off, len, out, outOff);
      } catch (AEADBadTagException e) {
        throw e;
      } catch (GeneralSecurityException e) {
        throw new AEADBadTagException("decryption failed: " + e.getClass().getSimpleName());
      }
    }
  }

  /** BouncyCastle's lightweight engine, one instance reused; one {@code init} per call. */
  private static final class BouncyCastle extends ChaChaPolyAead {
    private ChaCha20Poly1305 engine = new ChaCha20Poly1305();

    @Override
    public int seal(byte[] key, byte[] nonce, byte[] aad, int aadOff, int aadLen, byte[] in,
        int off, int len, byte[] out, int outOff) {
      AEADParameters params = new AEADParameters(new KeyParameter(key), TAG_LENGTH * 8, nonce);
      try {
        engine.init(true, params);
      } catch (IllegalArgumentException e) {
        // BouncyCastle refuses to encrypt twice in a row under the key and nonce it holds (a
        // retried copy sealed again with the same derived key): a fresh engine has no memory of it
        engine = new ChaCha20Poly1305();
        engine.init(true, params);
      }
      if (aadLen > 0) {
        engine.processAADBytes(aad, aadOff, aadLen);
      }
      int n = engine.processBytes(in, off, len, out, outOff);
      try {
        return n + engine.doFinal(out, outOff + n);
      } catch (InvalidCipherTextException e) {
        throw new IllegalStateException("encryption cannot fail", e);
      }
    }

    @Override
    public int open(byte[] key, byte[] nonce, byte[] aad, int aadOff, int aadLen, byte[] in,
        int off, int len, byte[] out, int outOff) throws AEADBadTagException {
      if (len < TAG_LENGTH) {
        throw new AEADBadTagException("ciphertext shorter than the tag");
      }
      try {
        engine.init(false, new AEADParameters(new KeyParameter(key), TAG_LENGTH * 8, nonce));
        if (aadLen > 0) {
          engine.processAADBytes(aad, aadOff, aadLen);
        }
        int n = engine.processBytes(in, off, len, out, outOff);
        return n + engine.doFinal(out, outOff + n);
      } catch (InvalidCipherTextException | IllegalStateException e) {
        engine.reset();
        throw new AEADBadTagException("decryption failed");
      }
    }
  }
}
