package io.spacepanda.internal.mls.tree;

import io.spacepanda.internal.mls.MlsDecryptionException;
import io.spacepanda.internal.mls.MlsValidationException;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.crypto.HpkeCiphertext;
import io.spacepanda.internal.mls.crypto.KeyPair;
import io.spacepanda.internal.mls.message.LeafNode;
import io.spacepanda.internal.mls.message.LeafNodeSource;
import io.spacepanda.internal.mls.message.UpdatePath;
import io.spacepanda.internal.mls.message.UpdatePathNode;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One member's private TreeKEM state (RFC 9420 §7.4–§7.6): its leaf index and the HPKE private
 * keys it knows for its leaf and the nodes above it, and the operations that create and process
 * UpdatePaths.
 *
 * <p>Design: a private key is stored with the public key it belongs to and is only ever used when
 * the tree still holds that public key at that node, so keys made stale by blanking or by another
 * member's path are never used and are dropped by {@link #prune(RatchetTree)}. Instances are
 * immutable; every operation returns a new state, so a provisional commit cannot corrupt the
 * current one. Path secrets are kept only while a {@link PreparedPath} is alive.
 *
 * <p>Creating a commit's path: apply the proposals to a copy of the tree, call {@link
 * #preparePath}, compute the provisional GroupContext with the copy's new tree hash, then {@link
 * PreparedPath#updatePath(byte[])}. Processing one: apply the proposals to a copy, {@link
 * RatchetTree#mergeUpdatePath}, compute the provisional GroupContext, then {@link #decryptPath}.
 *
 * <p>Thread-safe (immutable); {@code toString()} shows no secret.
 */
public final class TreeKem {

  private static final String UPDATE_PATH_LABEL = "UpdatePathNode";
  private static final String LEAF_TBS_LABEL = "LeafNodeTBS";
  private static final int ENCRYPTION_BATCH = 32;

  private final CipherSuite suite;
  private final int ownLeaf;
  private final Map<Integer, KeyPair> keys;

  private TreeKem(CipherSuite suite, int ownLeaf, Map<Integer, KeyPair> keys) {
    this.suite = suite;
    this.ownLeaf = ownLeaf;
    this.keys = Collections.unmodifiableMap(keys);
  }

  /**
   * Creates the state of a member who knows only its leaf's private key (a new member, or the
   * creator of a group).
   *
   * @param suite the group's cipher suite
   * @param leafIndex the member's leaf index
   * @param leafPrivateKey the HPKE private key of its leaf node's {@code encryption_key}
   * @return the state
   */
  public static TreeKem forLeaf(CipherSuite suite, int leafIndex, byte[] leafPrivateKey) {
    Objects.requireNonNull(suite, "suite");
    Objects.requireNonNull(leafPrivateKey, "leafPrivateKey");
    Map<Integer, KeyPair> keys = new HashMap<>();
    int node = TreeMath.leafToNode(leafIndex);
    keys.put(node, new KeyPair(leafPrivateKey.clone(), suite.hpkePublicKey(leafPrivateKey)));
    return new TreeKem(suite, leafIndex, keys);
  }

  /**
   * Creates an empty state for a leaf whose key will come from the member's own first path (the
   * sender of an external commit).
   *
   * @param suite the group's cipher suite
   * @param leafIndex the leaf the member will occupy
   * @return a state holding no key
   */
  public static TreeKem withoutKeys(CipherSuite suite, int leafIndex) {
    Objects.requireNonNull(suite, "suite");
    TreeMath.leafToNode(leafIndex);
    return new TreeKem(suite, leafIndex, new HashMap<>());
  }

  /**
   * Restores a state from the private keys it held (for saved group state; see {@link
   * #knownNodes(RatchetTree)} and {@link #privateKeyOrNull(RatchetTree, int)}).
   *
   * @param suite the group's cipher suite
   * @param leafIndex the member's leaf index
   * @param privateKeys node index to HPKE private key
   * @return the state
   */
  public static TreeKem fromPrivateKeys(CipherSuite suite, int leafIndex,
      Map<Integer, byte[]> privateKeys) {
    Objects.requireNonNull(suite, "suite");
    Map<Integer, KeyPair> keys = new HashMap<>();
    for (Map.Entry<Integer, byte[]> e : privateKeys.entrySet()) {
      byte[] priv = e.getValue().clone();
      keys.put(e.getKey(), new KeyPair(priv, suite.hpkePublicKey(priv)));
    }
    return new TreeKem(suite, leafIndex, keys);
  }

  /**
   * Returns the member's leaf index.
   *
   * @return the leaf index
   */
  public int ownLeaf() {
    return ownLeaf;
  }

  /**
   * Returns the private key for a node if this state holds the one matching the tree's public key
   * there.
   *
   * @param tree the current tree
   * @param nodeIndex a node index
   * @return a copy of the private key, or {@code null}
   */
  public byte[] privateKeyOrNull(RatchetTree tree, int nodeIndex) {
    KeyPair kp = usable(tree, nodeIndex);
    return kp == null ? null : kp.privateKey().clone();
  }

  private KeyPair usable(RatchetTree tree, int nodeIndex) {
    KeyPair kp = keys.get(nodeIndex);
    if (kp == null || nodeIndex >= tree.nodeWidth()) {
      return null;
    }
    byte[] pub = tree.encryptionKey(nodeIndex);
    return pub != null && Arrays.equals(pub, kp.publicKey()) ? kp : null;
  }

  /**
   * Returns the node indices whose private keys this state holds and the tree still uses.
   *
   * @param tree the current tree
   * @return node indices, increasing
   */
  public List<Integer> knownNodes(RatchetTree tree) {
    List<Integer> out = new ArrayList<>();
    for (int node : keys.keySet()) {
      if (usable(tree, node) != null) {
        out.add(node);
      }
    }
    Collections.sort(out);
    return out;
  }

  /**
   * Returns a state without the keys the tree no longer uses (RFC 9420 §7.5: outdated key pairs
   * are deleted).
   *
   * @param tree the current tree
   * @return the pruned state
   */
  public TreeKem prune(RatchetTree tree) {
    Map<Integer, KeyPair> kept = new HashMap<>();
    for (Map.Entry<Integer, KeyPair> e : keys.entrySet()) {
      if (usable(tree, e.getKey()) != null) {
        kept.put(e.getKey(), e.getValue());
      }
    }
    return new TreeKem(suite, ownLeaf, kept);
  }

  /**
   * Returns a state whose leaf key is replaced, after the member's own Update proposal was
   * committed.
   *
   * @param leafPrivateKey the private key of the new leaf node's {@code encryption_key}
   * @return the new state
   */
  public TreeKem withLeafPrivateKey(byte[] leafPrivateKey) {
    Map<Integer, KeyPair> next = new HashMap<>(keys);
    next.put(2 * ownLeaf, new KeyPair(leafPrivateKey.clone(), suite.hpkePublicKey(leafPrivateKey)));
    return new TreeKem(suite, ownLeaf, next);
  }

  /**
   * Returns a state that also holds the key derived from a path secret at one node, checking it
   * against the tree.
   *
   * @param tree the current tree
   * @param nodeIndex the node the path secret belongs to
   * @param pathSecret the path secret
   * @return the new state
   * @throws MlsValidationException if the node is blank or holds another public key
   */
  public TreeKem withPathSecret(RatchetTree tree, int nodeIndex, byte[] pathSecret)
      throws MlsValidationException {
    Map<Integer, KeyPair> next = new HashMap<>(keys);
    next.put(nodeIndex, checkedNodeKey(tree, nodeIndex, pathSecret));
    return new TreeKem(suite, ownLeaf, next);
  }

  /**
   * Installs the path secret of a Welcome (RFC 9420 §12.4.3.1): sets the key of the lowest common
   * ancestor of this leaf and the committer's, then derives the next path secret for each
   * non-blank node above it up to the root.
   *
   * @param tree the group's tree after the commit
   * @param committerLeaf the {@code signer} of the GroupInfo
   * @param pathSecret the path secret from GroupSecrets
   * @return the new state
   * @throws MlsValidationException if a derived key differs from the tree's public key
   */
  public TreeKem withWelcomePathSecret(RatchetTree tree, int committerLeaf, byte[] pathSecret)
      throws MlsValidationException {
    int start = TreeMath.commonAncestor(2 * ownLeaf, 2 * committerLeaf);
    if (committerLeaf == ownLeaf || start >= tree.nodeWidth()) {
      throw new MlsValidationException("invalid path secret");
    }
    Map<Integer, KeyPair> next = new HashMap<>(keys);
    int root = TreeMath.root(tree.leafCount());
    byte[] secret = pathSecret;
    int x = start;
    while (true) {
      if (tree.node(x) != null || x == start) {
        if (x != start) {
          secret = suite.deriveSecret(secret, "path");
        }
        next.put(x, checkedNodeKey(tree, x, secret));
      }
      if (x == root) {
        break;
      }
      x = TreeMath.parentUnchecked(x);
    }
    return new TreeKem(suite, ownLeaf, next);
  }

  private KeyPair checkedNodeKey(RatchetTree tree, int nodeIndex, byte[] pathSecret)
      throws MlsValidationException {
    KeyPair kp = nodeKey(pathSecret);
    if (nodeIndex < 0 || nodeIndex >= tree.nodeWidth()
        || !Arrays.equals(kp.publicKey(), tree.encryptionKey(nodeIndex))) {
      throw new MlsValidationException("path secret does not match the tree");
    }
    return kp;
  }

  private KeyPair nodeKey(byte[] pathSecret) {
    // RFC 9420 §7.4: node_secret = DeriveSecret(path_secret, "node")
    return suite.deriveHpkeKeyPair(suite.deriveSecret(pathSecret, "node"));
  }

  // ------------------------------------------------------------------ creating a path

  /**
   * Refreshes this member's leaf and filtered direct path in a provisional tree (RFC 9420 §7.4,
   * §7.5, §12.4.1): draws a new leaf key and path secrets, installs the new public keys with their
   * parent hashes, and sets a new leaf node (source commit, signed for {@code groupId} and this
   * leaf index).
   *
   * <p>The tree is changed in place and then has its new tree hash. Encryption of the path
   * secrets waits for the provisional GroupContext: see {@link PreparedPath#updatePath(byte[])}.
   *
   * @param provisional the tree with the commit's proposals applied; changed in place
   * @param template the leaf whose credential, signature key, capabilities and extensions the new
   *     leaf takes, or {@code null} for this member's current leaf
   * @param groupId the group id the new leaf is signed with
   * @param signaturePrivateKey the private key of the template's {@code signature_key}
   * @param newMemberLeaves the leaves added by this commit, left out of the encryption
   * @param random randomness for the leaf key and the first path secret
   * @return the prepared path
   * @throws MlsValidationException if there is no template and this member's leaf is blank
   */
  public PreparedPath preparePath(RatchetTree provisional, LeafNode template, byte[] groupId,
      byte[] signaturePrivateKey, Set<Integer> newMemberLeaves, SecureRandom random)
      throws MlsValidationException {
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(signaturePrivateKey, "signaturePrivateKey");
    Objects.requireNonNull(random, "random");
    LeafNode base = template != null ? template : provisional.leaf(ownLeaf);
    if (base == null) {
      throw new MlsValidationException("no leaf node to update");
    }
    int[] filtered = provisional.filteredDirectPath(ownLeaf);
    int n = filtered.length;

    // RFC 9420 §7.4: path_secret[0] random, path_secret[i] = DeriveSecret(path_secret[i-1], "path")
    byte[][] secrets = new byte[n][];
    List<byte[]> publicKeys = new ArrayList<>(n);
    Map<Integer, KeyPair> next = new HashMap<>();
    byte[] secret = new byte[suite.hashLength()];
    random.nextBytes(secret);
    for (int i = 0; i < n; i++) {
      if (i > 0) {
        secret = suite.deriveSecret(secret, "path");
      }
      secrets[i] = secret;
      KeyPair kp = nodeKey(secret);
      publicKeys.add(kp.publicKey());
      next.put(filtered[i], kp);
    }
    byte[] commitSecret = suite.deriveSecret(secret, "path");

    // Recipients per node: the copath child's resolution minus the new members (§7.6).
    List<List<byte[]>> recipients = new ArrayList<>(n);
    for (int p : filtered) {
      int[] res = provisional.resolution(RatchetTree.copathChild(p, ownLeaf), newMemberLeaves);
      List<byte[]> keysOfRes = new ArrayList<>(res.length);
      for (int r : res) {
        keysOfRes.add(provisional.encryptionKey(r));
      }
      recipients.add(keysOfRes);
    }

    KeyPair leafKey = suite.generateHpkeKeyPair(random);
    byte[] leafParentHash = provisional.installPath(ownLeaf, filtered, publicKeys);
    LeafNode unsigned = new LeafNode(leafKey.publicKey(), base.signatureKey(), base.credential(),
        base.capabilities(), LeafNodeSource.COMMIT, null, leafParentHash, base.extensions(), null);
    byte[] signature = suite.signWithLabel(signaturePrivateKey, LEAF_TBS_LABEL,
        unsigned.toBeSigned(groupId, ownLeaf));
    LeafNode leaf = unsigned.withSignature(signature);
    provisional.setLeaf(ownLeaf, leaf);
    next.put(2 * ownLeaf, leafKey);

    return new PreparedPath(suite, ownLeaf, leaf, filtered, secrets, publicKeys, recipients,
        commitSecret, new TreeKem(suite, ownLeaf, next));
  }

  // ------------------------------------------------------------------ processing a path

  /**
   * Decrypts the path secret of an UpdatePath already merged into {@code merged} and derives the
   * keys of the sender's filtered direct path from there to the root (RFC 9420 §7.5, §12.4.2).
   *
   * @param merged the provisional tree after {@link RatchetTree#mergeUpdatePath}
   * @param senderLeaf the committer's leaf index
   * @param path the UpdatePath
   * @param groupContext the encoded provisional GroupContext (with the merged tree's hash)
   * @param newMemberLeaves the leaves added by the commit, left out of the encryption
   * @return the decrypted path secret, the commit secret and the new state
   * @throws MlsValidationException if the path's shape does not fit the tree, this member holds no
   *     key to decrypt it, or a derived public key differs from the path's
   * @throws MlsDecryptionException if the ciphertext does not decrypt
   */
  public DecryptedPath decryptPath(RatchetTree merged, int senderLeaf, UpdatePath path,
      byte[] groupContext, Set<Integer> newMemberLeaves)
      throws MlsValidationException, MlsDecryptionException {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(groupContext, "groupContext");
    if (senderLeaf == ownLeaf || senderLeaf < 0 || senderLeaf >= merged.leafCount()
        || ownLeaf >= merged.leafCount()) {
      throw new MlsValidationException("invalid update path");
    }
    int[] filtered = merged.filteredDirectPath(senderLeaf);
    if (filtered.length != path.nodes().size()) {
      throw new MlsValidationException("invalid update path");
    }
    int ancestor = TreeMath.commonAncestor(2 * ownLeaf, 2 * senderLeaf);
    int position = -1;
    for (int i = 0; i < filtered.length; i++) {
      if (filtered[i] == ancestor) {
        position = i;
        break;
      }
    }
    if (position < 0) {
      throw new MlsValidationException("invalid update path");
    }
    int[] res = merged.resolution(RatchetTree.copathChild(ancestor, senderLeaf), newMemberLeaves);
    List<HpkeCiphertext> cts = path.nodes().get(position).encryptedPathSecret();
    if (cts.size() != res.length) {
      throw new MlsValidationException("invalid update path");
    }
    int slot = -1;
    KeyPair decryptionKey = null;
    for (int j = 0; j < res.length && slot < 0; j++) {
      KeyPair kp = usable(merged, res[j]);
      if (kp != null) {
        slot = j;
        decryptionKey = kp;
      }
    }
    if (slot < 0) {
      throw new MlsValidationException("no key to decrypt the update path");
    }
    byte[] pathSecret = suite.decryptWithLabel(decryptionKey.privateKey(), UPDATE_PATH_LABEL,
        groupContext, cts.get(slot));

    Map<Integer, KeyPair> next = new HashMap<>();
    for (Map.Entry<Integer, KeyPair> e : keys.entrySet()) {
      if (usable(merged, e.getKey()) != null) {
        next.put(e.getKey(), e.getValue());
      }
    }
    byte[] secret = pathSecret;
    for (int i = position; i < filtered.length; i++) {
      if (i > position) {
        secret = suite.deriveSecret(secret, "path");
      }
      KeyPair kp = nodeKey(secret);
      if (!Arrays.equals(kp.publicKey(), path.nodes().get(i).encryptionKey())) {
        throw new MlsValidationException("path secret does not match the tree");
      }
      next.put(filtered[i], kp);
    }
    byte[] commitSecret = suite.deriveSecret(secret, "path");
    return new DecryptedPath(pathSecret, commitSecret, new TreeKem(suite, ownLeaf, next));
  }

  @Override
  public String toString() {
    return "TreeKem[leaf=" + ownLeaf + ", keys=" + keys.size() + "]";
  }

  // ------------------------------------------------------------------ results

  /**
   * The result of processing an UpdatePath: the path secret decrypted, the commit secret, and the
   * member's new private state.
   */
  public static final class DecryptedPath {
    private final byte[] pathSecret;
    private final byte[] commitSecret;
    private final TreeKem state;

    DecryptedPath(byte[] pathSecret, byte[] commitSecret, TreeKem state) {
      this.pathSecret = pathSecret;
      this.commitSecret = commitSecret;
      this.state = state;
    }

    /**
     * Returns the path secret this member decrypted (for the lowest shared node).
     *
     * @return a copy of the path secret
     */
    public byte[] pathSecret() {
      return pathSecret.clone();
    }

    /**
     * Returns the commit secret, {@code DeriveSecret(last path secret, "path")} (RFC 9420 §12.4.2).
     *
     * @return a copy of the commit secret
     */
    public byte[] commitSecret() {
      return commitSecret.clone();
    }

    /**
     * Returns the member's private state for the new epoch.
     *
     * @return the new state
     */
    public TreeKem state() {
      return state;
    }

    @Override
    public String toString() {
      return "DecryptedPath[" + state + "]";
    }
  }

  /**
   * A committer's refreshed path, installed in its provisional tree and waiting for the
   * provisional GroupContext to encrypt its path secrets (RFC 9420 §7.6).
   *
   * <p>Holds path secrets: drop it once the commit and Welcome are built.
   */
  public static final class PreparedPath {
    private final CipherSuite suite;
    private final int leafIndex;
    private final LeafNode leafNode;
    private final int[] filtered;
    private final byte[][] secrets;
    private final List<byte[]> publicKeys;
    private final List<List<byte[]>> recipients;
    private final byte[] commitSecret;
    private final TreeKem state;
    private final AtomicInteger encryptions = new AtomicInteger();

    PreparedPath(CipherSuite suite, int leafIndex, LeafNode leafNode, int[] filtered,
        byte[][] secrets, List<byte[]> publicKeys, List<List<byte[]>> recipients,
        byte[] commitSecret, TreeKem state) {
      this.suite = suite;
      this.leafIndex = leafIndex;
      this.leafNode = leafNode;
      this.filtered = filtered;
      this.secrets = secrets;
      this.publicKeys = publicKeys;
      this.recipients = recipients;
      this.commitSecret = commitSecret;
      this.state = state;
    }

    /**
     * Returns the committer's new, signed leaf node.
     *
     * @return the leaf node
     */
    public LeafNode leafNode() {
      return leafNode;
    }

    /**
     * Returns the commit secret, {@code DeriveSecret(last path secret, "path")} (RFC 9420 §12.4.1).
     *
     * @return a copy of the commit secret
     */
    public byte[] commitSecret() {
      return commitSecret.clone();
    }

    /**
     * Returns the committer's private state for the new epoch.
     *
     * @return the new state
     */
    public TreeKem state() {
      return state;
    }

    /**
     * Returns the path secret a new member's Welcome carries: the one of the lowest node shared
     * by the committer's and the new member's direct paths (RFC 9420 §12.4.3.1).
     *
     * @param newMemberLeaf the new member's leaf index
     * @return a copy of the path secret, or {@code null} if that node is not on the filtered path
     */
    public byte[] pathSecretFor(int newMemberLeaf) {
      int ancestor = TreeMath.commonAncestor(2 * leafIndex, 2 * newMemberLeaf);
      for (int i = 0; i < filtered.length; i++) {
        if (filtered[i] == ancestor) {
          return secrets[i].clone();
        }
      }
      return null;
    }

    /**
     * Encrypts each path secret to the resolution of its copath child and builds the UpdatePath
     * (RFC 9420 §7.6): {@code EncryptWithLabel(pub, "UpdatePathNode", group_context, path_secret)}.
     *
     * <p>Runs on the calling thread. The cost is one HPKE encryption per resolution node, which
     * for a copath of blank subtrees approaches one per member.
     *
     * @param groupContext the encoded provisional GroupContext (new epoch, new tree hash, old
     *     confirmed transcript hash, new extensions; §12.4.1)
     * @return the UpdatePath for the Commit
     */
    public UpdatePath updatePath(byte[] groupContext) {
      return updatePath(groupContext, Runnable::run);
    }

    /**
     * Builds the UpdatePath as {@link #updatePath(byte[])} does, spreading the HPKE encryptions
     * over an executor in batches; waits for all of them before returning.
     *
     * @param groupContext the encoded provisional GroupContext
     * @param executor runs the encryption batches (e.g. a pool sized to the cores)
     * @return the UpdatePath for the Commit
     */
    public UpdatePath updatePath(byte[] groupContext, Executor executor) {
      Objects.requireNonNull(groupContext, "groupContext");
      Objects.requireNonNull(executor, "executor");
      HpkeCiphertext[][] cts = new HpkeCiphertext[filtered.length][];
      List<CompletableFuture<Void>> batches = new ArrayList<>();
      for (int i = 0; i < filtered.length; i++) {
        List<byte[]> to = recipients.get(i);
        cts[i] = new HpkeCiphertext[to.size()];
        for (int from = 0; from < to.size(); from += ENCRYPTION_BATCH) {
          int node = i;
          int start = from;
          int end = Math.min(to.size(), from + ENCRYPTION_BATCH);
          batches.add(CompletableFuture.runAsync(() -> {
            for (int j = start; j < end; j++) {
              cts[node][j] = suite.encryptWithLabel(to.get(j), UPDATE_PATH_LABEL, groupContext,
                  secrets[node]);
              encryptions.incrementAndGet();
            }
          }, executor));
        }
      }
      try {
        CompletableFuture.allOf(batches.toArray(new CompletableFuture<?>[0])).join();
      } catch (CompletionException e) {
        if (e.getCause() instanceof RuntimeException cause) {
          throw cause;
        }
        throw e;
      }
      List<UpdatePathNode> out = new ArrayList<>(filtered.length);
      for (int i = 0; i < filtered.length; i++) {
        out.add(new UpdatePathNode(publicKeys.get(i), Arrays.asList(cts[i])));
      }
      return new UpdatePath(leafNode, out);
    }

    /**
     * Returns how many HPKE encryptions {@link #updatePath} has made so far: one per node of the
     * resolutions of the copath (RFC 9420 §7.6), about log2(n) on a full tree and up to n - 1 on
     * a blank one. Counted where they are made, for tree-health measurements.
     *
     * @return the count
     */
    public int encryptions() {
      return encryptions.get();
    }

    @Override
    public String toString() {
      return "PreparedPath[leaf=" + leafIndex + ", nodes=" + filtered.length + "]";
    }
  }
}
