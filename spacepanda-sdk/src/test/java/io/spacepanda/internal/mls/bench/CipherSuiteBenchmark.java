package io.spacepanda.internal.mls.bench;

import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.crypto.KeyPair;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Cost of the primitives that dominate protect/unprotect: signatures and the AEAD. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CipherSuiteBenchmark {

  private final CipherSuite suite = CipherSuite.X25519_AES128GCM_SHA256_ED25519;
  private KeyPair keys;
  private byte[] content;
  private byte[] signature;
  private byte[] key;
  private byte[] nonce;
  private byte[] sealed;

  /** Prepares keys and a 200-byte message. */
  @Setup
  public void setup() {
    SecureRandom random = new SecureRandom();
    keys = suite.generateSignatureKeyPair(random);
    content = new byte[200];
    random.nextBytes(content);
    signature = suite.signWithLabel(keys.privateKey(), "FramedContentTBS", content);
    key = new byte[16];
    nonce = new byte[12];
    sealed = suite.seal(key, nonce, new byte[0], content);
  }

  /** @return an Ed25519 signature over 200 bytes */
  @Benchmark
  public byte[] sign() {
    return suite.signWithLabel(keys.privateKey(), "FramedContentTBS", content);
  }

  /** @return whether the signature verified */
  @Benchmark
  public boolean verify() {
    return suite.verifyWithLabel(keys.publicKey(), "FramedContentTBS", content, signature);
  }

  /** @return AES-128-GCM of 200 bytes */
  @Benchmark
  public byte[] seal() {
    return suite.seal(key, nonce, new byte[0], content);
  }

  /** @return the opened 200 bytes */
  @Benchmark
  public byte[] open() throws Exception {
    return suite.open(key, nonce, new byte[0], sealed);
  }
}
