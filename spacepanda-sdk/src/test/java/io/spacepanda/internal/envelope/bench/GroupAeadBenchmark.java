package io.spacepanda.internal.envelope.bench;

import io.spacepanda.internal.crypto.ChaChaPolyAead;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
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
 * ChaCha20-Poly1305 as a group envelope uses it: a fresh key per call, 33 bytes of associated
 * data, one envelope-sized body sealed. BouncyCastle's engine built per call (what {@code
 * GroupEnvelope} did), BouncyCastle's engine reused per thread, and the JDK's Cipher reused per
 * thread ({@code ChaChaPolyAead}'s two implementations). Run with JDK 17 and with JDK 20+ to see
 * why the choice depends on the JDK.
 *
 * <p>Run: {@code -Dbench="GroupAeadBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1"}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class GroupAeadBenchmark {

  /** Padded body length in bytes (envelope buckets start at 256). */
  @Param({"256", "4096"})
  public int size;

  private final byte[] key = new byte[32];
  private final byte[] nonce = new byte[12];
  private final byte[] aad = new byte[33];
  private byte[] body;
  private byte[] out;
  private final ChaChaPolyAead jca = ChaChaPolyAead.jca();
  private final ChaChaPolyAead bc = ChaChaPolyAead.bouncyCastle();

  /** Random key, header and body. */
  @Setup
  public void setup() {
    SecureRandom r = new SecureRandom();
    r.nextBytes(key);
    r.nextBytes(aad);
    body = new byte[size];
    r.nextBytes(body);
    out = new byte[size + 16];
  }

  /** @return the output, BouncyCastle's engine built per call */
  @Benchmark
  public byte[] bcPerCall() throws Exception {
    key[0]++;
    ChaCha20Poly1305 aead = new ChaCha20Poly1305();
    aead.init(true, new AEADParameters(new KeyParameter(key), 128, nonce));
    aead.processAADBytes(aad, 0, aad.length);
    int n = aead.processBytes(body, 0, body.length, out, 0);
    aead.doFinal(out, n);
    return out;
  }

  /** @return the output, BouncyCastle's engine reused */
  @Benchmark
  public byte[] bcReused() {
    key[0]++;
    bc.seal(key, nonce, aad, 0, aad.length, body, 0, body.length, out, 0);
    return out;
  }

  /** @return the output, the JDK's Cipher reused */
  @Benchmark
  public byte[] jcaReused() {
    key[0]++;
    jca.seal(key, nonce, aad, 0, aad.length, body, 0, body.length, out, 0);
    return out;
  }
}
