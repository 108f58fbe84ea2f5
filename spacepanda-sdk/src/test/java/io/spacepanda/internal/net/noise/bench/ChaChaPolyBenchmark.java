package io.spacepanda.internal.net.noise.bench;

import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * ChaCha20-Poly1305 as a Noise transport uses it: one (re)initialization per frame with the next
 * nonce, then one frame sealed or opened. The JDK's {@code ChaCha20-Poly1305} Cipher against
 * BouncyCastle's lightweight {@code ChaCha20Poly1305}, each instance reused across frames.
 *
 * <p>Run: {@code -Dbench="ChaChaPolyBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1"}; run the same classpath
 * with a newer {@code java} to see the JDK's intrinsics.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ChaChaPolyBenchmark {

  /** Frame size in bytes (a Noise frame carries at most 65519 bytes). */
  @Param({"65519"})
  public int size;

  private final byte[] key = new byte[32];
  private final SecretKeySpec jcaKey = new SecretKeySpec(key, "ChaCha20");
  private final KeyParameter bcKey = new KeyParameter(key);
  private final byte[] ad = new byte[0];
  private byte[] plaintext;
  private byte[] out;
  private byte[][] sealed;
  private Cipher jca;
  private final ChaCha20Poly1305 bc = new ChaCha20Poly1305();
  private long nonce;

  /**
   * Prepares one frame, sealed under nonces 0 and 1 for the open benchmarks (the JDK refuses to
   * re-initialize with the key and nonce it already holds, even to decrypt, so they alternate).
   */
  @Setup
  public void setup() throws Exception {
    plaintext = new byte[size];
    out = new byte[size + 16];
    jca = Cipher.getInstance("ChaCha20-Poly1305");
    sealed = new byte[2][];
    for (int i = 0; i < 2; i++) {
      jca.init(Cipher.ENCRYPT_MODE, jcaKey, new IvParameterSpec(iv(i)));
      sealed[i] = jca.doFinal(plaintext);
    }
    nonce = 1;
  }

  private static byte[] iv(long n) {
    byte[] iv = new byte[12];
    for (int i = 0; i < 8; i++) {
      iv[4 + i] = (byte) (n >>> (8 * i));
    }
    return iv;
  }

  /** @return the frame sealed by the JDK */
  @Benchmark
  public int jcaSeal() throws Exception {
    jca.init(Cipher.ENCRYPT_MODE, jcaKey, new IvParameterSpec(iv(++nonce)));
    jca.updateAAD(ad);
    return jca.doFinal(plaintext, 0, size, out, 0);
  }

  /** @return the frame opened by the JDK */
  @Benchmark
  public int jcaOpen() throws Exception {
    int i = (int) (++nonce & 1);
    jca.init(Cipher.DECRYPT_MODE, jcaKey, new IvParameterSpec(iv(i)));
    jca.updateAAD(ad);
    return jca.doFinal(sealed[i], 0, sealed[i].length, out, 0);
  }

  /** @return the frame sealed by BouncyCastle */
  @Benchmark
  public int bcSeal() throws Exception {
    bc.init(true, new AEADParameters(bcKey, 128, iv(++nonce), ad));
    int n = bc.processBytes(plaintext, 0, size, out, 0);
    return n + bc.doFinal(out, n);
  }

  /** @return the frame opened by BouncyCastle */
  @Benchmark
  public int bcOpen() throws Exception {
    int i = (int) (++nonce & 1);
    bc.init(false, new AEADParameters(bcKey, 128, iv(i), ad));
    int n = bc.processBytes(sealed[i], 0, sealed[i].length, out, 0);
    return n + bc.doFinal(out, n);
  }
}
