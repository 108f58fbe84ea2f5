package io.spacepanda.internal.mls.bench;

import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.util.Arrays;
import org.bouncycastle.util.encoders.Hex;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Ed25519 sign and verify of a 250-byte message (about an MLS {@code FramedContentTBS}): the JDK's
 * SunEC {@code Signature.getInstance("Ed25519")} against BouncyCastle's lightweight {@code
 * Ed25519Signer}, both with keys decoded once, as the suite's caches hold them.
 *
 * <p>Run: {@code -Dbench="Ed25519Benchmark -f 1 -wi 3 -w 1 -i 5 -r 1"}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class Ed25519Benchmark {

  private static final byte[] X509_PREFIX = Hex.decode("302a300506032b6570032100");
  private static final byte[] PKCS8_PREFIX = Hex.decode("302e020100300506032b657004220420");

  private final byte[] message = new byte[250];
  private Ed25519PrivateKeyParameters bcPrivate;
  private Ed25519PublicKeyParameters bcPublic;
  private PrivateKey jcaPrivate;
  private PublicKey jcaPublic;
  private Signature jcaSigner;
  private Signature jcaVerifier;
  private byte[] signature;

  /** Generates one key pair and decodes it for both providers. */
  @Setup
  public void setup() throws Exception {
    SecureRandom random = new SecureRandom();
    random.nextBytes(message);
    bcPrivate = new Ed25519PrivateKeyParameters(random);
    bcPublic = bcPrivate.generatePublicKey();
    KeyFactory kf = KeyFactory.getInstance("Ed25519");
    jcaPrivate = kf.generatePrivate(
        new PKCS8EncodedKeySpec(Arrays.concatenate(PKCS8_PREFIX, bcPrivate.getEncoded())));
    jcaPublic = kf.generatePublic(
        new X509EncodedKeySpec(Arrays.concatenate(X509_PREFIX, bcPublic.getEncoded())));
    jcaSigner = Signature.getInstance("Ed25519");
    jcaVerifier = Signature.getInstance("Ed25519");
    signature = bcSign();
    if (!java.util.Arrays.equals(signature, jcaSign())) {
      throw new IllegalStateException("JCA and BC signatures differ");
    }
  }

  /** @return a BouncyCastle signature */
  @Benchmark
  public byte[] bcSign() {
    Ed25519Signer s = new Ed25519Signer();
    s.init(true, bcPrivate);
    s.update(message, 0, message.length);
    return s.generateSignature();
  }

  /** @return whether BouncyCastle verified */
  @Benchmark
  public boolean bcVerify() {
    Ed25519Signer s = new Ed25519Signer();
    s.init(false, bcPublic);
    s.update(message, 0, message.length);
    return s.verifySignature(signature);
  }

  /** @return a JCA signature */
  @Benchmark
  public byte[] jcaSign() throws Exception {
    jcaSigner.initSign(jcaPrivate);
    jcaSigner.update(message);
    return jcaSigner.sign();
  }

  /** @return whether the JCA verified */
  @Benchmark
  public boolean jcaVerify() throws Exception {
    jcaVerifier.initVerify(jcaPublic);
    jcaVerifier.update(message);
    return jcaVerifier.verify(signature);
  }
}
