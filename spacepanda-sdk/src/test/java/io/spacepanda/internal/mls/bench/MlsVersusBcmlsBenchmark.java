package io.spacepanda.internal.mls.bench;

import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.group.Group;
import io.spacepanda.internal.mls.group.GroupFixtures;
import io.spacepanda.internal.mls.group.MlsConfig;
import io.spacepanda.internal.mls.message.MlsMessage;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.mls.TreeKEM.LeafNode;
import org.bouncycastle.mls.TreeKEM.LifeTime;
import org.bouncycastle.mls.codec.Capabilities;
import org.bouncycastle.mls.codec.Credential;
import org.bouncycastle.mls.codec.Extension;
import org.bouncycastle.mls.codec.KeyPackage;
import org.bouncycastle.mls.codec.MLSInputStream;
import org.bouncycastle.mls.codec.MLSMessage;
import org.bouncycastle.mls.codec.MLSOutputStream;
import org.bouncycastle.mls.codec.Proposal;
import org.bouncycastle.mls.crypto.MlsCipherSuite;
import org.bouncycastle.mls.crypto.Secret;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Side by side in one run: an MLS application message of 200 bytes protected by one member,
 * encoded, decoded and unprotected by the other member of a 2-member group, with our engine and
 * with BouncyCastle's {@code bcmls} 1.84 (a benchmark-only test dependency), for suites 1
 * (X25519, AES-128-GCM, Ed25519) and 3 (X25519, ChaCha20-Poly1305, Ed25519).
 *
 * <p>bcmls is given no padding (ours pads to 32-byte blocks), so if anything the comparison
 * favours it.
 *
 * <p>Run: {@code -Dbench="MlsVersusBcmlsBenchmark -f 1 -wi 3 -w 1 -i 5 -r 1"}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class MlsVersusBcmlsBenchmark {

  /** Cipher suite: 1 (AES-128-GCM) or 3 (ChaCha20-Poly1305), both X25519 and Ed25519. */
  @Param({"1", "3"})
  public int suite;

  private static final byte[] NO_AAD = new byte[0];
  private final byte[] body = new byte[200];

  private Group ours;
  private Group oursReceiver;
  private org.bouncycastle.mls.protocol.Group bcSender;
  private org.bouncycastle.mls.protocol.Group bcReceiver;

  /**
   * Builds a 2-member group in each engine and checks one message round trip in each.
   *
   * @throws Exception if setup fails
   */
  @Setup
  public void setup() throws Exception {
    new SecureRandom().nextBytes(body);
    MlsConfig config = MlsConfig.builder().maxSkippedKeysPerSender(16).build();
    GroupFixtures.Pair p = GroupFixtures.fullTree(config,
        CipherSuite.byId(suite).orElseThrow(), 2);
    ours = p.creator();
    oursReceiver = p.member();
    buildBcGroup((short) suite);
    if (!Arrays.equals(body, bcmlsProtectAndUnprotect())) {
      throw new IllegalStateException("bcmls round trip failed");
    }
    oursProtectAndUnprotect();
  }

  private void buildBcGroup(short suiteId) throws Exception {
    MlsCipherSuite s = MlsCipherSuite.getSuite(suiteId);
    AsymmetricCipherKeyPair creatorLeaf = s.getHPKE().generatePrivateKey();
    AsymmetricCipherKeyPair creatorSig = s.generateSignatureKeyPair();
    byte[] creatorSigPriv = s.serializeSignaturePrivateKey(creatorSig.getPrivate());
    LeafNode creatorNode = new LeafNode(s, s.getHPKE().serializePublicKey(creatorLeaf.getPublic()),
        s.serializeSignaturePublicKey(creatorSig.getPublic()),
        Credential.forBasic("alice".getBytes()), new Capabilities(), new LifeTime(),
        new ArrayList<Extension>(), creatorSigPriv);
    org.bouncycastle.mls.protocol.Group creator = new org.bouncycastle.mls.protocol.Group(
        "bench-group".getBytes(), s, creatorLeaf, creatorSigPriv,
        creatorNode.copy(creatorNode.getEncryptionKey()), new ArrayList<Extension>());

    AsymmetricCipherKeyPair init = s.getHPKE().generatePrivateKey();
    AsymmetricCipherKeyPair enc = s.getHPKE().generatePrivateKey();
    AsymmetricCipherKeyPair sig = s.generateSignatureKeyPair();
    byte[] sigPriv = s.serializeSignaturePrivateKey(sig.getPrivate());
    LeafNode node = new LeafNode(s, s.getHPKE().serializePublicKey(enc.getPublic()),
        s.serializeSignaturePublicKey(sig.getPublic()), Credential.forBasic("bob".getBytes()),
        new Capabilities(), new LifeTime(), new ArrayList<Extension>(), sigPriv);
    KeyPackage kp = new KeyPackage(s, s.getHPKE().serializePublicKey(init.getPublic()), node,
        new ArrayList<Extension>(), sigPriv);

    byte[] leafSecret = new byte[s.getKDF().getHashLength()];
    new SecureRandom().nextBytes(leafSecret);
    List<Proposal> add = new ArrayList<>();
    add.add(Proposal.add(kp));
    org.bouncycastle.mls.protocol.Group.GroupWithMessage gwm = creator.commit(
        new Secret(leafSecret),
        new org.bouncycastle.mls.protocol.Group.CommitOptions(add, true, false, null),
        new org.bouncycastle.mls.protocol.Group.MessageOptions(false, new byte[0], 0),
        new org.bouncycastle.mls.protocol.Group.CommitParameters(
            org.bouncycastle.mls.protocol.Group.NORMAL_COMMIT_PARAMS));
    bcSender = gwm.group;
    bcReceiver = new org.bouncycastle.mls.protocol.Group(
        s.getHPKE().serializePrivateKey(init.getPrivate()), enc, sigPriv, kp,
        gwm.message.welcome, null, new HashMap<>(), new HashMap<>());
  }

  /**
   * @return the receiver's plaintext, with our engine
   * @throws Exception if the message does not decrypt
   */
  @Benchmark
  public Object oursProtectAndUnprotect() throws Exception {
    byte[] wire = ours.protect(body, NO_AAD).toBytes();
    return oursReceiver.process(TlsReader.decodeExactly(wire, MlsMessage::decode));
  }

  /**
   * @return the receiver's plaintext, with bcmls
   * @throws Exception if the message does not decrypt
   */
  @Benchmark
  public byte[] bcmlsProtectAndUnprotect() throws Exception {
    byte[] wire = MLSOutputStream.encode(bcSender.protect(NO_AAD, body, 0));
    MLSMessage decoded = (MLSMessage) MLSInputStream.decode(wire, MLSMessage.class);
    return bcReceiver.unprotect(decoded)[1];
  }
}
