package io.spacepanda.internal.mls.tree;

import io.spacepanda.internal.mls.MlsDecryptionException;
import io.spacepanda.internal.mls.MlsValidationException;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.crypto.KeyPair;
import io.spacepanda.internal.mls.message.Capabilities;
import io.spacepanda.internal.mls.message.Credential;
import io.spacepanda.internal.mls.message.LeafNode;
import io.spacepanda.internal.mls.message.LeafNodeSource;
import io.spacepanda.internal.mls.message.Lifetime;
import io.spacepanda.internal.mls.message.UpdatePath;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A simulated group for tree tests: one shared public tree plus every member's private TreeKEM
 * state and signature key, driven by add/update/remove/commit calls as RFC 9420 §12 applies them.
 */
final class TreeFixture {

  static final CipherSuite SUITE = CipherSuite.X25519_AES128GCM_SHA256_ED25519;
  static final byte[] GROUP_ID = "tree-fixture-group".getBytes(StandardCharsets.UTF_8);

  final SecureRandom random;
  RatchetTree tree;
  final Map<Integer, TreeKem> kems = new HashMap<>();
  final Map<Integer, byte[]> signatureKeys = new HashMap<>();
  long epoch;
  private int nextIdentity;

  TreeFixture(long seed) {
    random = seeded(seed);
    Member creator = newMember();
    tree = RatchetTree.create(SUITE, creator.leaf);
    kems.put(0, TreeKem.forLeaf(SUITE, 0, creator.encryption.privateKey()));
    signatureKeys.put(0, creator.signature.privateKey());
  }

  static SecureRandom seeded(long seed) {
    try {
      SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
      r.setSeed(seed);
      return r;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A prospective member: keys and a key-package leaf node. */
  static final class Member {
    final KeyPair signature;
    final KeyPair encryption;
    final LeafNode leaf;

    Member(KeyPair signature, KeyPair encryption, LeafNode leaf) {
      this.signature = signature;
      this.encryption = encryption;
      this.leaf = leaf;
    }
  }

  static Capabilities capabilities() {
    return new Capabilities(List.of(1), List.of(SUITE.id()), List.of(), List.of(), List.of(1));
  }

  Member newMember() {
    KeyPair sig = SUITE.generateSignatureKeyPair(random);
    KeyPair enc = SUITE.generateHpkeKeyPair(random);
    byte[] identity = ("member-" + nextIdentity++).getBytes(StandardCharsets.UTF_8);
    LeafNode unsigned = new LeafNode(enc.publicKey(), sig.publicKey(), Credential.basic(identity),
        capabilities(), LeafNodeSource.KEY_PACKAGE, new Lifetime(0, Long.MAX_VALUE), null,
        List.of(), null);
    LeafNode leaf = unsigned.withSignature(SUITE.signWithLabel(sig.privateKey(), "LeafNodeTBS",
        unsigned.toBeSigned(new byte[0], 0)));
    return new Member(sig, enc, leaf);
  }

  /** Adds a member (an Add applied to the tree, with its Welcome-free private state). */
  int add(RatchetTree target, Member m) {
    int leaf = target.addLeaf(m.leaf);
    kems.put(leaf, TreeKem.forLeaf(SUITE, leaf, m.encryption.privateKey()));
    signatureKeys.put(leaf, m.signature.privateKey());
    return leaf;
  }

  /** Applies an Update proposal from {@code leaf} with a fresh encryption key. */
  void update(RatchetTree target, int leaf) throws MlsValidationException {
    LeafNode old = target.leaf(leaf);
    KeyPair enc = SUITE.generateHpkeKeyPair(random);
    LeafNode unsigned = new LeafNode(enc.publicKey(), old.signatureKey(), old.credential(),
        old.capabilities(), LeafNodeSource.UPDATE, null, null, old.extensions(), null);
    LeafNode next = unsigned.withSignature(SUITE.signWithLabel(signatureKeys.get(leaf),
        "LeafNodeTBS", unsigned.toBeSigned(GROUP_ID, leaf)));
    target.updateLeaf(leaf, next);
    kems.put(leaf, kems.get(leaf).withLeafPrivateKey(enc.privateKey()));
  }

  /** Applies a Remove proposal. */
  void remove(RatchetTree target, int leaf) throws MlsValidationException {
    target.removeLeaf(leaf);
    kems.remove(leaf);
    signatureKeys.remove(leaf);
  }

  byte[] context(byte[] treeHash) {
    return SUITE.hash(concat(GROUP_ID, Long.toString(epoch + 1).getBytes(StandardCharsets.UTF_8),
        treeHash));
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] out = new byte[n];
    int o = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, o, p.length);
      o += p.length;
    }
    return out;
  }

  /**
   * Commits from {@code committer}: adds {@code joiners} (proposals applied to a provisional copy),
   * creates an UpdatePath, lets every other existing member process it, gives joiners their
   * Welcome path secret, and checks that everyone ends with the same commit secret and tree.
   */
  byte[] commit(int committer, List<Member> joiners)
      throws MlsValidationException, MlsDecryptionException {
    RatchetTree provisional = tree.copy();
    Set<Integer> newLeaves = new HashSet<>();
    Map<Integer, Member> joined = new HashMap<>();
    for (Member m : joiners) {
      int leaf = provisional.addLeaf(m.leaf);
      newLeaves.add(leaf);
      joined.put(leaf, m);
    }
    TreeKem.PreparedPath prepared = kems.get(committer).preparePath(provisional, null, GROUP_ID,
        signatureKeys.get(committer), newLeaves, random);
    byte[] context = context(provisional.treeHash());
    UpdatePath path = prepared.updatePath(context);
    byte[] commitSecret = prepared.commitSecret();

    Map<Integer, TreeKem> next = new HashMap<>();
    next.put(committer, prepared.state());
    for (Map.Entry<Integer, TreeKem> e : kems.entrySet()) {
      int j = e.getKey();
      if (j == committer) {
        continue;
      }
      RatchetTree theirs = tree.copy();
      for (Member m : joiners) {
        theirs.addLeaf(m.leaf);
      }
      theirs.mergeUpdatePath(committer, path, GROUP_ID);
      if (!theirs.equals(provisional)) {
        throw new AssertionError("trees differ after commit at member " + j);
      }
      TreeKem.DecryptedPath d = e.getValue().decryptPath(theirs, committer, path, context,
          newLeaves);
      if (!java.util.Arrays.equals(commitSecret, d.commitSecret())) {
        throw new AssertionError("commit secret differs at member " + j);
      }
      next.put(j, d.state());
    }
    for (Map.Entry<Integer, Member> e : joined.entrySet()) {
      int leaf = e.getKey();
      TreeKem kem = TreeKem.forLeaf(SUITE, leaf, e.getValue().encryption.privateKey())
          .withWelcomePathSecret(provisional, committer, prepared.pathSecretFor(leaf));
      next.put(leaf, kem);
      signatureKeys.put(leaf, e.getValue().signature.privateKey());
    }
    tree = provisional;
    kems.clear();
    kems.putAll(next);
    epoch++;
    return commitSecret;
  }

  List<Integer> members() {
    return new ArrayList<>(tree.occupiedLeaves());
  }
}
