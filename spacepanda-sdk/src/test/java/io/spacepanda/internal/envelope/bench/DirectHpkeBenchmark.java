package io.spacepanda.internal.envelope.bench;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.hybrid.HpkeParameters;
import com.google.crypto.tink.hybrid.HpkePrivateKey;
import com.google.crypto.tink.hybrid.HpkePublicKey;
import com.google.crypto.tink.hybrid.internal.HpkeDecrypt;
import com.google.crypto.tink.hybrid.internal.HpkeEncrypt;
import com.google.crypto.tink.util.Bytes;
import com.google.crypto.tink.util.SecretBytes;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.hpke.HPKE;
import org.bouncycastle.crypto.hpke.HPKEContextWithEncapsulation;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.util.Arrays;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * HPKE base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305, of a 256-byte padded
 * payload, as a direct envelope uses it: Tink's {@code HpkeEncrypt}/{@code HpkeDecrypt} (built per
 * call, as {@code DirectEnvelope} did) against BouncyCastle's lightweight {@code HPKE} (what the
 * MLS suite uses), given the recipient's public key so that opening needs one scalar multiplication,
 * and the direct envelope itself ({@code DirectEnvelope}: our one-suite HPKE, {@code DirectHpke},
 * with a 200-byte payload padded to the same 256 bytes plus the envelope's framing).
 *
 * <p>The X25519 rows (issue 15 wave 5 item 3) put the two scalar multiplications of a seal side
 * by side: BouncyCastle's lightweight {@code X25519.scalarMult} (variable base, the agreement)
 * and {@code X25519.generatePublicKey} (fixed base through its precomputed table, the ephemeral
 * key) against the JDK's {@code XDH} {@code KeyAgreement} and {@code KeyPairGenerator}.
 *
 * <p>Run: {@code -Dbench="DirectHpkeBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1"}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class DirectHpkeBenchmark {

  private static final byte[] INFO = "spacepanda/envelope/direct/v1\1\2".getBytes();
  private static final byte[] AAD = new byte[0];

  private final byte[] plaintext = new byte[256];
  private byte[] privateKey;
  private byte[] publicKey;
  private HpkeParameters parameters;
  private byte[] tinkSealed;
  private HPKE bc;
  private byte[] bcEnc;
  private byte[] bcCiphertext;
  private io.spacepanda.internal.crypto.InboxKey inbox;
  private final byte[] payload = new byte[200];
  private byte[] envelope;

  private final byte[] scalar = new byte[32];
  private final byte[] point = new byte[32];
  private java.security.PrivateKey jcaPrivate;
  private java.security.PublicKey jcaPeer;
  private java.security.KeyPairGenerator jcaGenerator;

  /** Generates a recipient key and seals once with each library. */
  @Setup
  public void setup() throws Exception {
    SecureRandom random = new SecureRandom();
    random.nextBytes(plaintext);
    X25519PrivateKeyParameters k = new X25519PrivateKeyParameters(random);
    privateKey = k.getEncoded();
    publicKey = k.generatePublicKey().getEncoded();
    parameters = HpkeParameters.builder()
        .setKemId(HpkeParameters.KemId.DHKEM_X25519_HKDF_SHA256)
        .setKdfId(HpkeParameters.KdfId.HKDF_SHA256)
        .setAeadId(HpkeParameters.AeadId.CHACHA20_POLY1305)
        .setVariant(HpkeParameters.Variant.NO_PREFIX)
        .build();
    bc = new HPKE(HPKE.mode_base, HPKE.kem_X25519_SHA256, HPKE.kdf_HKDF_SHA256,
        HPKE.aead_CHACHA20_POLY1305);
    tinkSealed = tinkSeal();
    byte[] both = bcSeal();
    bcEnc = Arrays.copyOfRange(both, 0, 32);
    bcCiphertext = Arrays.copyOfRange(both, 32, both.length);
    inbox = io.spacepanda.internal.crypto.InboxKey.generate(random);
    random.nextBytes(payload);
    envelope = envelopeSeal();
    org.bouncycastle.math.ec.rfc7748.X25519.generatePrivateKey(random, scalar);
    System.arraycopy(publicKey, 0, point, 0, 32);
    jcaGenerator = java.security.KeyPairGenerator.getInstance("X25519");
    jcaPrivate = jcaGenerator.generateKeyPair().getPrivate();
    jcaPeer = jcaGenerator.generateKeyPair().getPublic();
    if (!Arrays.areEqual(plaintext, bcOpen()) || !Arrays.areEqual(plaintext, tinkOpen())
        || !Arrays.areEqual(payload, envelopeOpen())) {
      throw new IllegalStateException("round trip failed");
    }
  }

  /** @return enc ‖ ciphertext from Tink */
  @Benchmark
  public byte[] tinkSeal() throws Exception {
    HpkePublicKey pk = HpkePublicKey.create(parameters, Bytes.copyFrom(publicKey), null);
    return HpkeEncrypt.create(pk).encrypt(plaintext, INFO);
  }

  /** @return the plaintext opened by Tink */
  @Benchmark
  public byte[] tinkOpen() throws Exception {
    HpkePublicKey pk = HpkePublicKey.create(parameters, Bytes.copyFrom(publicKey), null);
    HpkePrivateKey sk = HpkePrivateKey.create(pk,
        SecretBytes.copyFrom(privateKey, InsecureSecretKeyAccess.get()));
    return HpkeDecrypt.create(sk).decrypt(tinkSealed, INFO);
  }

  /** @return enc ‖ ciphertext from BouncyCastle */
  @Benchmark
  public byte[] bcSeal() throws Exception {
    HPKEContextWithEncapsulation ctx = bc.setupBaseS(bc.deserializePublicKey(publicKey), INFO);
    byte[] ct = ctx.seal(AAD, plaintext);
    return Arrays.concatenate(ctx.getEncapsulation(), ct);
  }

  /** @return the plaintext opened by BouncyCastle */
  @Benchmark
  public byte[] bcOpen() throws Exception {
    AsymmetricCipherKeyPair sk = bc.deserializePrivateKey(privateKey, publicKey);
    return bc.open(bcEnc, sk, INFO, AAD, bcCiphertext, null, null, null);
  }

  /** @return a direct envelope sealed with our HPKE */
  @Benchmark
  public byte[] envelopeSeal() throws Exception {
    return io.spacepanda.internal.envelope.DirectEnvelope.seal(inbox.publicKey(), payload);
  }

  /** @return the payload of a direct envelope opened with our HPKE */
  @Benchmark
  public byte[] envelopeOpen() throws Exception {
    return io.spacepanda.internal.envelope.DirectEnvelope.open(inbox, envelope);
  }

  /** @return BouncyCastle's variable-base X25519 (the agreement with the recipient's key) */
  @Benchmark
  public byte[] x25519BcAgreement() {
    byte[] out = new byte[32];
    org.bouncycastle.math.ec.rfc7748.X25519.scalarMult(scalar, 0, point, 0, out, 0);
    return out;
  }

  /** @return BouncyCastle's fixed-base X25519 (an ephemeral public key, precomputed table) */
  @Benchmark
  public byte[] x25519BcPublicKey() {
    byte[] out = new byte[32];
    org.bouncycastle.math.ec.rfc7748.X25519.generatePublicKey(scalar, 0, out, 0);
    return out;
  }

  /** @return the JDK's XDH agreement with the recipient's key */
  @Benchmark
  public byte[] x25519JcaAgreement() throws Exception {
    javax.crypto.KeyAgreement ka = javax.crypto.KeyAgreement.getInstance("X25519");
    ka.init(jcaPrivate);
    ka.doPhase(jcaPeer, true);
    return ka.generateSecret();
  }

  /** @return the JDK's XDH key pair (private key and its public key) */
  @Benchmark
  public Object x25519JcaKeyPair() {
    return jcaGenerator.generateKeyPair();
  }
}
