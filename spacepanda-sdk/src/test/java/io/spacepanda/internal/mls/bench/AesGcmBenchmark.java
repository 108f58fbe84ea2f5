package io.spacepanda.internal.mls.bench;

import io.spacepanda.internal.mls.crypto.CipherSuite;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * MLS suite 1's AES-128-GCM of one 200-byte message as the MLS engine calls it (a new key and
 * nonce each time: each generation of the secret tree has its own), four ways (issue 15 wave 5
 * item 4): the suite itself ({@code CipherSuite.seal/open}: one JCA {@code Cipher} per thread,
 * re-initialised per call), a JCA {@code Cipher} looked up per call, BouncyCastle's lightweight
 * GCM with its AES engine per call, and the same kept per thread and re-initialised. Compare with
 * {@code -prof gc} for the allocation per call.
 *
 * <p>Run: {@code -Dbench="AesGcmBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1 -prof gc"}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AesGcmBenchmark {

  private final CipherSuite suite = CipherSuite.X25519_AES128GCM_SHA256_ED25519;
  private final byte[] content = new byte[200];
  private final byte[] aad = new byte[40];
  private final byte[][] keys = new byte[64][16];
  private final byte[][] nonces = new byte[64][12];
  private final byte[][] sealed = new byte[64][];
  private final GCMModeCipher bcReused = GCMBlockCipher.newInstance(AESEngine.newInstance());
  private int next;

  /** Prepares 64 keys and nonces and their ciphertexts. */
  @Setup
  public void setup() {
    SecureRandom random = new SecureRandom();
    random.nextBytes(content);
    random.nextBytes(aad);
    for (int i = 0; i < keys.length; i++) {
      random.nextBytes(keys[i]);
      random.nextBytes(nonces[i]);
      sealed[i] = suite.seal(keys[i], nonces[i], aad, content);
    }
  }

  private int index() {
    next = (next + 1) & 63;
    return next;
  }

  /** @return the suite's seal (per-thread JCA Cipher, init per call) */
  @Benchmark
  public byte[] suiteSeal() {
    int i = index();
    return suite.seal(keys[i], nonces[i], aad, content);
  }

  /** @return the suite's open */
  @Benchmark
  public byte[] suiteOpen() throws Exception {
    int i = index();
    return suite.open(keys[i], nonces[i], aad, sealed[i]);
  }

  /** @return a JCA Cipher looked up per call */
  @Benchmark
  public byte[] jcaFreshSeal() throws GeneralSecurityException {
    int i = index();
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(keys[i], "AES"),
        new GCMParameterSpec(128, nonces[i]));
    c.updateAAD(aad);
    return c.doFinal(content);
  }

  /** @return BouncyCastle's GCM and AES engine built per call */
  @Benchmark
  public byte[] bcFreshSeal() throws InvalidCipherTextException {
    int i = index();
    return bc(GCMBlockCipher.newInstance(AESEngine.newInstance()), true, i, content);
  }

  /** @return BouncyCastle's GCM kept and re-initialised */
  @Benchmark
  public byte[] bcReusedSeal() throws InvalidCipherTextException {
    int i = index();
    return bc(bcReused, true, i, content);
  }

  /** @return BouncyCastle's GCM kept and re-initialised, opening */
  @Benchmark
  public byte[] bcReusedOpen() throws InvalidCipherTextException {
    int i = index();
    return bc(bcReused, false, i, sealed[i]);
  }

  private byte[] bc(GCMModeCipher c, boolean seal, int i, byte[] in)
      throws InvalidCipherTextException {
    c.init(seal, new AEADParameters(new KeyParameter(keys[i]), 128, nonces[i], aad));
    byte[] out = new byte[c.getOutputSize(in.length)];
    int n = c.processBytes(in, 0, in.length, out, 0);
    c.doFinal(out, n);
    return out;
  }
}
