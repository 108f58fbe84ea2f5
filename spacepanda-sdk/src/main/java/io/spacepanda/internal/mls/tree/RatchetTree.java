package io.spacepanda.internal.mls.tree;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.MlsValidationException;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.message.Extension;
import io.spacepanda.internal.mls.message.LeafNode;
import io.spacepanda.internal.mls.message.LeafNodeSource;
import io.spacepanda.internal.mls.message.Node;
import io.spacepanda.internal.mls.message.ParentNode;
import io.spacepanda.internal.mls.message.RatchetTreeData;
import io.spacepanda.internal.mls.message.UpdatePath;
import io.spacepanda.internal.mls.message.UpdatePathNode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The public state of an MLS ratchet tree (RFC 9420 §4, §7): an array of nullable nodes over a
 * power-of-two number of leaves, with the tree operations of §7 and §12.1.
 *
 * <p>Design: nodes sit in an array indexed as in RFC 9420 Appendix C ({@link TreeMath}); a blank
 * node is {@code null}. {@link LeafNode} and {@link ParentNode} values are immutable, so {@link
 * #copy()} duplicates two reference arrays and nothing else: a commit works on a provisional copy
 * and the group keeps the copy or drops it. The tree hash of every node (§7.8) is cached; changing
 * a node clears the cached hashes of that node and its ancestors only, so after a commit at most
 * {@code log2(n)} parent hashes and the changed leaves are rehashed. Parent hashes (§7.9) are
 * computed when a path is installed and verified for the whole tree when a tree is received.
 *
 * <p>Not thread-safe: a tree belongs to one group state, which is confined to one thread. A method
 * that throws while changing the tree (a path that fails validation) may leave it half changed;
 * callers change a {@link #copy()} and drop it on failure, as commit processing must anyway.
 */
public final class RatchetTree {

  private static final byte[] EMPTY = new byte[0];
  private static final String LEAF_TBS_LABEL = "LeafNodeTBS";

  private final CipherSuite suite;
  private Node[] nodes;
  private byte[][] hashes;
  private int leafCount;

  private RatchetTree(CipherSuite suite, Node[] nodes, byte[][] hashes, int leafCount) {
    this.suite = suite;
    this.nodes = nodes;
    this.hashes = hashes;
    this.leafCount = leafCount;
  }

  /**
   * Creates the one-leaf tree of a new group (RFC 9420 §11).
   *
   * @param suite the group's cipher suite
   * @param creator the creator's leaf node
   * @return a tree whose only leaf is {@code creator}
   */
  public static RatchetTree create(CipherSuite suite, LeafNode creator) {
    Objects.requireNonNull(suite, "suite");
    Objects.requireNonNull(creator, "creator");
    return new RatchetTree(suite, new Node[] {creator}, new byte[1][], 1);
  }

  /**
   * Builds a tree from the node list of a {@code ratchet_tree} extension (RFC 9420 §12.4.3.3),
   * padding it with blank nodes to the smallest full tree.
   *
   * <p>This checks only the shape (leaf and parent types at their positions, a non-blank last
   * node); call {@link #validate(byte[])} before trusting the content.
   *
   * @param suite the group's cipher suite
   * @param nodes the nodes in array order, {@code null} for blank
   * @return the tree
   * @throws MlsValidationException if the list is empty, ends in a blank node, is too long, or has
   *     a leaf at an odd or a parent at an even position
   */
  public static RatchetTree fromNodes(CipherSuite suite, List<Node> nodes)
      throws MlsValidationException {
    Objects.requireNonNull(suite, "suite");
    Objects.requireNonNull(nodes, "nodes");
    int size = nodes.size();
    if (size == 0 || nodes.get(size - 1) == null) {
      throw new MlsValidationException("malformed ratchet tree");
    }
    // RFC 9420 §12.4.3.3: extend to 2^(d+1) - 1 entries with the fewest blanks
    int leaves = 1;
    while (TreeMath.nodeWidth(leaves) < size) {
      if (leaves >= TreeMath.MAX_LEAVES / 2) {
        throw new MlsValidationException("malformed ratchet tree");
      }
      leaves <<= 1;
    }
    Node[] array = new Node[TreeMath.nodeWidth(leaves)];
    for (int i = 0; i < size; i++) {
      Node n = nodes.get(i);
      if (n != null && (n instanceof LeafNode) != TreeMath.isLeaf(i)) {
        throw new MlsValidationException("malformed ratchet tree");
      }
      array[i] = n;
    }
    return new RatchetTree(suite, array, new byte[array.length][], leaves);
  }

  /**
   * Decodes the {@code ratchet_tree} extension data (RFC 9420 §12.4.3.3) into a tree.
   *
   * @param suite the group's cipher suite
   * @param extensionData the encoded {@code optional<Node> ratchet_tree<V>}
   * @return the tree, not yet validated
   * @throws MlsDecodeException if the bytes are not a well-formed node vector forming a tree
   */
  public static RatchetTree decode(CipherSuite suite, byte[] extensionData)
      throws MlsDecodeException {
    List<Node> nodes = TlsReader.decodeExactly(extensionData, RatchetTreeData::decode);
    try {
      return fromNodes(suite, nodes);
    } catch (MlsValidationException e) {
      throw new MlsDecodeException("malformed ratchet tree", e);
    }
  }

  /**
   * Returns a copy that can be changed without affecting this tree.
   *
   * <p>Costs two array copies of {@link #nodeWidth()} references; nodes and cached hashes are
   * immutable and shared.
   *
   * @return an independent copy
   */
  public RatchetTree copy() {
    return new RatchetTree(suite, nodes.clone(), hashes.clone(), leafCount);
  }

  // ------------------------------------------------------------------ accessors

  /**
   * Returns the cipher suite this tree hashes and verifies with.
   *
   * @return the suite
   */
  public CipherSuite suite() {
    return suite;
  }

  /**
   * Returns the number of leaves, blank or not (a power of two).
   *
   * @return the leaf count
   */
  public int leafCount() {
    return leafCount;
  }

  /**
   * Returns the number of nodes of the full tree, {@code 2 * leafCount() - 1}.
   *
   * @return the node width
   */
  public int nodeWidth() {
    return nodes.length;
  }

  /**
   * Returns the node at an array index, or {@code null} when it is blank.
   *
   * @param nodeIndex a node index in {@code [0, nodeWidth())}
   * @return the node or {@code null}
   * @throws IndexOutOfBoundsException if the index is outside the tree
   */
  public Node node(int nodeIndex) {
    return nodes[nodeIndex];
  }

  /**
   * Returns the leaf node at a leaf index, or {@code null} when it is blank or outside the tree.
   *
   * @param leafIndex a leaf index
   * @return the leaf node or {@code null}
   */
  public LeafNode leaf(int leafIndex) {
    if (leafIndex < 0 || leafIndex >= leafCount) {
      return null;
    }
    return (LeafNode) nodes[2 * leafIndex];
  }

  /**
   * Returns the parent node at a node index, or {@code null} when it is blank.
   *
   * @param nodeIndex an odd node index inside the tree
   * @return the parent node or {@code null}
   */
  public ParentNode parentNode(int nodeIndex) {
    if (TreeMath.isLeaf(nodeIndex)) {
      throw new IllegalArgumentException("not a parent node: " + nodeIndex);
    }
    return (ParentNode) nodes[nodeIndex];
  }

  /**
   * Returns the HPKE public key held by a node, or {@code null} when it is blank.
   *
   * @param nodeIndex a node index inside the tree
   * @return the encryption key or {@code null}
   */
  public byte[] encryptionKey(int nodeIndex) {
    Node n = nodes[nodeIndex];
    if (n == null) {
      return null;
    }
    return n instanceof LeafNode l ? l.encryptionKey() : ((ParentNode) n).encryptionKey();
  }

  /**
   * Returns the number of non-blank leaves (the group's members).
   *
   * @return the member count
   */
  public int memberCount() {
    int count = 0;
    for (int i = 0; i < nodes.length; i += 2) {
      if (nodes[i] != null) {
        count++;
      }
    }
    return count;
  }

  /**
   * Returns the leaf indices of the non-blank leaves, in increasing order.
   *
   * @return the members' leaf indices
   */
  public List<Integer> occupiedLeaves() {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < nodes.length; i += 2) {
      if (nodes[i] != null) {
        out.add(i >>> 1);
      }
    }
    return out;
  }

  /**
   * Returns the leaf index of the first leaf equal to {@code leaf}, or -1.
   *
   * @param leaf a leaf node
   * @return its leaf index, or -1 if no leaf equals it
   */
  public int indexOfLeaf(LeafNode leaf) {
    for (int i = 0; i < nodes.length; i += 2) {
      if (leaf.equals(nodes[i])) {
        return i >>> 1;
      }
    }
    return -1;
  }

  /**
   * Returns the leaf index of the leaf whose signature key is {@code signatureKey}, or -1.
   *
   * @param signatureKey a signature public key
   * @return its leaf index, or -1
   */
  public int indexOfSignatureKey(byte[] signatureKey) {
    for (int i = 0; i < nodes.length; i += 2) {
      if (nodes[i] instanceof LeafNode l && Arrays.equals(l.signatureKey(), signatureKey)) {
        return i >>> 1;
      }
    }
    return -1;
  }

  /**
   * Tells whether any node of the tree holds this HPKE public key.
   *
   * @param encryptionKey an HPKE public key
   * @return whether some leaf or parent node holds it
   */
  public boolean containsEncryptionKey(byte[] encryptionKey) {
    for (Node n : nodes) {
      if (n != null && Arrays.equals(keyOf(n), encryptionKey)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns the leaf index an Add would fill: the leftmost blank leaf, or {@link #leafCount()}
   * when every leaf is taken and the tree would grow (RFC 9420 §12.1.1).
   *
   * @return the leftmost free leaf index
   */
  public int leftmostFreeLeaf() {
    for (int i = 0; i < nodes.length; i += 2) {
      if (nodes[i] == null) {
        return i >>> 1;
      }
    }
    return leafCount;
  }

  // ------------------------------------------------------------------ proposals (§12.1)

  /**
   * Adds a member at the leftmost blank leaf, extending the tree when none is blank, and records
   * it as unmerged at every non-blank ancestor (RFC 9420 §12.1.1).
   *
   * @param leaf the new member's leaf node (from its KeyPackage)
   * @return the new member's leaf index
   * @throws IllegalStateException if the tree would exceed {@link TreeMath#MAX_LEAVES} leaves
   */
  public int addLeaf(LeafNode leaf) {
    Objects.requireNonNull(leaf, "leaf");
    int index = reserveLeaf();
    int node = 2 * index;
    int root = TreeMath.root(leafCount);
    for (int x = node; x != root; ) {
      x = TreeMath.parentUnchecked(x);
      if (nodes[x] instanceof ParentNode p) {
        setNode(x, withUnmerged(p, index));
      }
    }
    setNode(node, leaf);
    return index;
  }

  /**
   * Returns the leftmost blank leaf index, first doubling the tree when no leaf is blank; the
   * leaf stays blank (an external commit's sender is placed there, RFC 9420 §12.4.1).
   *
   * @return a blank leaf index inside the tree
   * @throws IllegalStateException if the tree would exceed {@link TreeMath#MAX_LEAVES} leaves
   */
  public int reserveLeaf() {
    int index = leftmostFreeLeaf();
    if (index == leafCount) {
      extend();
    }
    return index;
  }

  /**
   * Replaces a member's leaf node and blanks its direct path (RFC 9420 §12.1.2).
   *
   * @param leafIndex the sender's leaf index
   * @param leaf the leaf node of the Update proposal
   * @throws MlsValidationException if the leaf at {@code leafIndex} is blank or outside the tree
   */
  public void updateLeaf(int leafIndex, LeafNode leaf) throws MlsValidationException {
    Objects.requireNonNull(leaf, "leaf");
    requireMember(leafIndex);
    blankDirectPath(leafIndex);
    setNode(2 * leafIndex, leaf);
  }

  /**
   * Removes a member: blanks its leaf and direct path, then halves the tree while its right half
   * holds no member (RFC 9420 §12.1.3).
   *
   * @param leafIndex the removed member's leaf index
   * @throws MlsValidationException if the leaf at {@code leafIndex} is blank or outside the tree
   */
  public void removeLeaf(int leafIndex) throws MlsValidationException {
    requireMember(leafIndex);
    blankDirectPath(leafIndex);
    setNode(2 * leafIndex, null);
    truncate();
  }

  private void requireMember(int leafIndex) throws MlsValidationException {
    if (leaf(leafIndex) == null) {
      throw new MlsValidationException("no member at leaf index");
    }
  }

  private void extend() {
    if (leafCount >= TreeMath.MAX_LEAVES) {
      throw new IllegalStateException("ratchet tree full");
    }
    leafCount <<= 1;
    int width = TreeMath.nodeWidth(leafCount);
    nodes = Arrays.copyOf(nodes, width);
    hashes = Arrays.copyOf(hashes, width);
  }

  private void truncate() {
    while (leafCount > 1) {
      int half = leafCount >>> 1;
      boolean rightEmpty = true;
      for (int i = 2 * half; i < nodes.length; i += 2) {
        if (nodes[i] != null) {
          rightEmpty = false;
          break;
        }
      }
      if (!rightEmpty) {
        return;
      }
      leafCount = half;
      int width = TreeMath.nodeWidth(half);
      nodes = Arrays.copyOf(nodes, width);
      hashes = Arrays.copyOf(hashes, width);
    }
  }

  private void blankDirectPath(int leafIndex) {
    int root = TreeMath.root(leafCount);
    for (int x = 2 * leafIndex; x != root; ) {
      x = TreeMath.parentUnchecked(x);
      setNode(x, null);
    }
  }

  private static ParentNode withUnmerged(ParentNode p, int leafIndex) {
    List<Integer> list = new ArrayList<>(p.unmergedLeaves().size() + 1);
    boolean inserted = false;
    for (int u : p.unmergedLeaves()) {
      if (!inserted && leafIndex < u) {
        list.add(leafIndex);
        inserted = true;
      }
      if (u != leafIndex) {
        list.add(u);
      } else {
        inserted = true;
      }
    }
    if (!inserted) {
      list.add(leafIndex);
    }
    return new ParentNode(p.encryptionKey(), p.parentHash(), list);
  }

  private void setNode(int index, Node node) {
    nodes[index] = node;
    int root = TreeMath.root(leafCount);
    int x = index;
    while (true) {
      if (hashes[x] == null && x != index) {
        return;
      }
      hashes[x] = null;
      if (x == root) {
        return;
      }
      x = TreeMath.parentUnchecked(x);
    }
  }

  // ------------------------------------------------------------------ resolution (§4.1)

  /**
   * Returns the resolution of a node (RFC 9420 §4.1.1): the non-blank nodes covering its subtree,
   * depth first and left first, each non-blank parent followed by its unmerged leaves.
   *
   * @param nodeIndex a node index inside the tree
   * @return node indices, in resolution order
   */
  public int[] resolution(int nodeIndex) {
    return resolution(nodeIndex, Collections.emptySet());
  }

  /**
   * Returns the resolution of a node without the given leaves, as a commit encrypts to copath
   * nodes without the members it adds (RFC 9420 §7.6, §12.4.2).
   *
   * @param nodeIndex a node index inside the tree
   * @param excludedLeaves leaf indices to leave out, wherever they would appear
   * @return node indices, in resolution order
   */
  public int[] resolution(int nodeIndex, Set<Integer> excludedLeaves) {
    IntList out = new IntList();
    resolve(nodeIndex, excludedLeaves, out);
    return out.toArray();
  }

  private void resolve(int x, Set<Integer> excluded, IntList out) {
    Node n = nodes[x];
    if (n instanceof LeafNode) {
      if (excluded.isEmpty() || !excluded.contains(x >>> 1)) {
        out.add(x);
      }
    } else if (n instanceof ParentNode p) {
      out.add(x);
      for (int u : p.unmergedLeaves()) {
        if (excluded.isEmpty() || !excluded.contains(u)) {
          out.add(2 * u);
        }
      }
    } else if (!TreeMath.isLeaf(x)) {
      resolve(TreeMath.left(x), excluded, out);
      resolve(TreeMath.right(x), excluded, out);
    }
  }

  private boolean hasNonBlank(int x) {
    if (nodes[x] != null) {
      return true;
    }
    if (TreeMath.isLeaf(x)) {
      return false;
    }
    return hasNonBlank(TreeMath.left(x)) || hasNonBlank(TreeMath.right(x));
  }

  /**
   * Returns how far the tree is from full: blank parents over two non-empty subtrees and unmerged
   * leaves, what makes commits encrypt to more than log2(n) keys. Linear in the tree's width.
   *
   * @return the tree's health
   */
  public TreeHealth health() {
    boolean[] nonEmpty = nonEmptySubtrees();
    int blank = 0;
    int unmerged = 0;
    for (int x = 1; x < nodes.length; x += 2) {
      if (nodes[x] instanceof ParentNode p) {
        unmerged += p.unmergedLeaves().size();
      } else if (nonEmpty[TreeMath.left(x)] && nonEmpty[TreeMath.right(x)]) {
        blank++;
      }
    }
    return new TreeHealth(memberCount(), blank, unmerged);
  }

  /**
   * Returns, for every leaf, what a commit with an UpdatePath from that leaf would repair (RFC
   * 9420 §7.5: the sender's filtered direct path gets new keys and empty unmerged-leaf lists):
   * the blank nodes on its filtered direct path plus the unmerged leaves of the non-blank ones.
   * Zero for a blank leaf and for a member whose path is already full. O(n log n).
   *
   * @return one gain per leaf index
   */
  public int[] refreshGains() {
    boolean[] nonEmpty = nonEmptySubtrees();
    int[] gains = new int[leafCount];
    for (int leaf = 0; leaf < leafCount; leaf++) {
      if (nodes[2 * leaf] == null) {
        continue;
      }
      int child = 2 * leaf;
      int gain = 0;
      for (int p : TreeMath.directPath(child, leafCount)) {
        if (nonEmpty[copathChild(p, leaf)]) {
          gain += nodes[p] instanceof ParentNode pn ? pn.unmergedLeaves().size() : 1;
        }
        child = p;
      }
      gains[leaf] = gain;
    }
    return gains;
  }

  /** For every node: whether its subtree holds a non-blank node. */
  private boolean[] nonEmptySubtrees() {
    boolean[] out = new boolean[nodes.length];
    for (int x = 0; x < nodes.length; x += 2) {
      out[x] = nodes[x] != null;
    }
    int maxLevel = TreeMath.level(TreeMath.root(leafCount));
    for (int level = 1; level <= maxLevel; level++) {
      int step = 1 << (level + 1);
      for (int x = (1 << level) - 1; x < nodes.length; x += step) {
        out[x] = nodes[x] != null || out[TreeMath.left(x)] || out[TreeMath.right(x)];
      }
    }
    return out;
  }

  /**
   * Returns the filtered direct path of a leaf (RFC 9420 §4.1.2): its direct path without the
   * nodes whose copath child has an empty resolution.
   *
   * @param leafIndex a leaf index inside the tree
   * @return parent node indices, nearest to the leaf first
   */
  public int[] filteredDirectPath(int leafIndex) {
    if (leafIndex < 0 || leafIndex >= leafCount) {
      throw new IllegalArgumentException("leaf index outside the tree: " + leafIndex);
    }
    int leafNode = 2 * leafIndex;
    int[] dp = TreeMath.directPath(leafNode, leafCount);
    IntList out = new IntList();
    int child = leafNode;
    for (int p : dp) {
      int copathChild = child < p ? TreeMath.right(p) : TreeMath.left(p);
      if (hasNonBlank(copathChild)) {
        out.add(p);
      }
      child = p;
    }
    return out.toArray();
  }

  /**
   * Returns the child of {@code parent} that does not lead to {@code leafIndex}.
   *
   * @param parent a parent node index on the leaf's direct path
   * @param leafIndex a leaf index below {@code parent}
   * @return the copath child's node index
   */
  static int copathChild(int parent, int leafIndex) {
    return 2 * leafIndex < parent ? TreeMath.right(parent) : TreeMath.left(parent);
  }

  // ------------------------------------------------------------------ tree hash (§7.8)

  /**
   * Returns the tree hash of the root (RFC 9420 §7.8), the value of {@code tree_hash} in the
   * GroupContext.
   *
   * @return the root's tree hash (cached until the tree changes)
   */
  public byte[] treeHash() {
    return hashOf(TreeMath.root(leafCount)).clone();
  }

  /**
   * Returns the tree hash of the subtree headed by a node (RFC 9420 §7.8).
   *
   * @param nodeIndex a node index inside the tree
   * @return a copy of its tree hash
   */
  public byte[] treeHash(int nodeIndex) {
    return hashOf(nodeIndex).clone();
  }

  private byte[] hashOf(int nodeIndex) {
    byte[] h = hashes[nodeIndex];
    if (h != null) {
      return h;
    }
    // RFC 9420 §7.8 TreeHashInput
    TlsWriter w = new TlsWriter(256);
    Node n = nodes[nodeIndex];
    if (TreeMath.isLeaf(nodeIndex)) {
      w.u8(Node.LEAF).u32(nodeIndex >>> 1);
      w.optional(n == null ? null : (LeafNode) n);
    } else {
      byte[] left = hashOf(TreeMath.left(nodeIndex));
      byte[] right = hashOf(TreeMath.right(nodeIndex));
      w.u8(Node.PARENT);
      w.optional(n == null ? null : (ParentNode) n);
      w.opaque(left).opaque(right);
    }
    h = suite.hash(w.toByteArray());
    hashes[nodeIndex] = h;
    return h;
  }

  /**
   * Returns the tree hash of a subtree with some leaves blanked and removed from every unmerged
   * list, the "original sibling tree hash" of RFC 9420 §7.9.
   */
  private byte[] treeHashWithout(int x, List<Integer> removed) {
    boolean touched = false;
    for (int u : removed) {
      if (TreeMath.inSubtree(2 * u, x)) {
        touched = true;
        break;
      }
    }
    if (!touched) {
      return hashOf(x);
    }
    TlsWriter w = new TlsWriter(256);
    Node n = nodes[x];
    if (TreeMath.isLeaf(x)) {
      w.u8(Node.LEAF).u32(x >>> 1).optional(null);
    } else {
      byte[] left = treeHashWithout(TreeMath.left(x), removed);
      byte[] right = treeHashWithout(TreeMath.right(x), removed);
      ParentNode p = (ParentNode) n;
      if (p != null) {
        List<Integer> kept = new ArrayList<>(p.unmergedLeaves());
        kept.removeAll(removed);
        p = new ParentNode(p.encryptionKey(), p.parentHash(), kept);
      }
      w.u8(Node.PARENT).optional(p).opaque(left).opaque(right);
    }
    return suite.hash(w.toByteArray());
  }

  // ------------------------------------------------------------------ parent hash (§7.9)

  private byte[] parentHash(byte[] encryptionKey, byte[] parentHashField, byte[] siblingHash) {
    // RFC 9420 §7.9 ParentHashInput
    TlsWriter w = new TlsWriter(encryptionKey.length + parentHashField.length + siblingHash.length
        + 8);
    w.opaque(encryptionKey).opaque(parentHashField).opaque(siblingHash);
    return suite.hash(w.toByteArray());
  }

  /**
   * Installs new public keys on a leaf's filtered direct path (RFC 9420 §7.5): blanks the direct
   * path, sets each filtered node to a key with no unmerged leaves and its parent hash computed
   * from the root down (§7.9), and returns the parent hash the leaf must carry. The leaf itself
   * is not changed.
   *
   * @param leafIndex the committer's leaf index
   * @param filtered the committer's filtered direct path, computed before this call
   * @param publicKeys one HPKE public key per filtered node, in the same order
   * @return the parent hash for the committer's leaf
   */
  byte[] installPath(int leafIndex, int[] filtered, List<byte[]> publicKeys) {
    blankDirectPath(leafIndex);
    byte[] ph = EMPTY;
    for (int i = filtered.length - 1; i >= 0; i--) {
      int p = filtered[i];
      byte[] key = publicKeys.get(i);
      setNode(p, new ParentNode(key, ph, List.of()));
      ph = parentHash(key, ph, hashOf(copathChild(p, leafIndex)));
    }
    return ph;
  }

  /**
   * Sets a leaf without touching its direct path (used once a path is installed).
   *
   * @param leafIndex a leaf index inside the tree
   * @param leaf the new leaf node
   */
  void setLeaf(int leafIndex, LeafNode leaf) {
    setNode(2 * leafIndex, leaf);
  }

  /**
   * Validates an UpdatePath received in a commit and merges it into this (provisional) tree
   * (RFC 9420 §7.5, §12.4.2).
   *
   * <p>Checks that the new leaf node comes from a commit, is signed for {@code groupId} and the
   * sender's leaf index, has a new encryption key, that no key of the path is already in the
   * tree, that the path has one node per filtered direct path node, and that the leaf's parent
   * hash matches the installed path. Credential and capability checks of §7.3 belong to the
   * caller. Call this after the commit's proposals are applied, on a copy.
   *
   * @param senderLeaf the committer's leaf index (for an external commit, a {@link
   *     #reserveLeaf() reserved} blank leaf)
   * @param path the UpdatePath
   * @param groupId the group id the leaf node is signed with
   * @throws MlsValidationException if any check fails; the tree is then unusable
   */
  public void mergeUpdatePath(int senderLeaf, UpdatePath path, byte[] groupId)
      throws MlsValidationException {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(groupId, "groupId");
    if (senderLeaf < 0 || senderLeaf >= leafCount) {
      throw new MlsValidationException("invalid update path");
    }
    LeafNode leaf = path.leafNode();
    if (leaf.source() != LeafNodeSource.COMMIT) {
      throw new MlsValidationException("invalid update path");
    }
    if (!verifyLeafSignature(leaf, groupId, senderLeaf)) {
      throw new MlsValidationException("invalid leaf node signature");
    }
    int[] filtered = filteredDirectPath(senderLeaf);
    if (path.nodes().size() != filtered.length) {
      throw new MlsValidationException("invalid update path");
    }
    // RFC 9420 §12.4.2: new keys must not appear anywhere in the tree
    Set<ByteBuffer> fresh = new HashSet<>();
    fresh.add(ByteBuffer.wrap(leaf.encryptionKey()));
    List<byte[]> keys = new ArrayList<>(filtered.length);
    for (UpdatePathNode n : path.nodes()) {
      if (!suite.isValidHpkePublicKey(n.encryptionKey())) {
        throw new MlsValidationException("invalid update path");
      }
      keys.add(n.encryptionKey());
      if (!fresh.add(ByteBuffer.wrap(n.encryptionKey()))) {
        throw new MlsValidationException("duplicate encryption key");
      }
    }
    for (Node n : nodes) {
      if (n != null && fresh.contains(ByteBuffer.wrap(keyOf(n)))) {
        throw new MlsValidationException("duplicate encryption key");
      }
    }
    byte[] expected = installPath(senderLeaf, filtered, keys);
    if (!Arrays.equals(expected, leaf.parentHash())) {
      throw new MlsValidationException("parent hash mismatch");
    }
    setLeaf(senderLeaf, leaf);
  }

  /**
   * Verifies that every non-blank parent node is parent-hash valid (RFC 9420 §7.9.2), top down:
   * each must have exactly one descendant, on one side, whose {@code parent_hash} is its parent
   * hash with the other side as original sibling.
   *
   * @throws MlsValidationException if some non-blank parent node is not parent-hash valid
   */
  public void verifyParentHashes() throws MlsValidationException {
    for (int p = 1; p < nodes.length; p += 2) {
      if (!(nodes[p] instanceof ParentNode parent)) {
        continue;
      }
      int valid = 0;
      if (chainsTo(p, parent, TreeMath.left(p), TreeMath.right(p))) {
        valid++;
      }
      if (chainsTo(p, parent, TreeMath.right(p), TreeMath.left(p))) {
        valid++;
      }
      if (valid != 1) {
        throw new MlsValidationException("parent hash mismatch");
      }
    }
  }

  /**
   * Tells whether some node D under child {@code c} of {@code p} is linked to {@code p} (RFC 9420
   * §7.9.2): D is the only node of resolution(c) that is not one of p's unmerged leaves, every
   * unmerged leaf of p under c is in resolution(c), and D's parent_hash is p's parent hash with
   * original sibling {@code s}.
   */
  private boolean chainsTo(int p, ParentNode parent, int c, int s) {
    int[] res = resolution(c);
    List<Integer> unmergedUnderC = new ArrayList<>();
    for (int u : parent.unmergedLeaves()) {
      if (TreeMath.inSubtree(2 * u, c)) {
        unmergedUnderC.add(2 * u);
      }
    }
    int d = -1;
    int matched = 0;
    for (int x : res) {
      if (unmergedUnderC.contains(x)) {
        matched++;
      } else if (d == -1) {
        d = x;
      } else {
        return false;
      }
    }
    if (d == -1 || matched != unmergedUnderC.size()) {
      return false;
    }
    byte[] field;
    Node dn = nodes[d];
    if (dn instanceof LeafNode l) {
      if (l.source() != LeafNodeSource.COMMIT) {
        return false;
      }
      field = l.parentHash();
    } else {
      field = ((ParentNode) dn).parentHash();
    }
    byte[] expected = parentHash(parent.encryptionKey(), parent.parentHash(),
        treeHashWithout(s, parent.unmergedLeaves()));
    return Arrays.equals(expected, field);
  }

  // ------------------------------------------------------------------ validation (§12.4.3.1)

  /**
   * Verifies a leaf node's signature (RFC 9420 §7.2), with group id and leaf index as context
   * for update and commit sources.
   *
   * @param leaf the leaf node
   * @param groupId the group id
   * @param leafIndex the leaf index it occupies
   * @return whether the signature verifies
   */
  public boolean verifyLeafSignature(LeafNode leaf, byte[] groupId, int leafIndex) {
    return suite.verifyWithLabel(leaf.signatureKey(), LEAF_TBS_LABEL,
        leaf.toBeSigned(groupId, leafIndex), leaf.signature());
  }

  /**
   * Validates a received tree as a joiner must (RFC 9420 §12.4.3.1), except for comparing the
   * tree hash: parent-hash validity of every parent node, every leaf's signature and
   * self-consistency (§7.3: extensions and credential type listed in its capabilities, credential
   * types supported by all members), uniqueness of signature keys among leaves and of encryption
   * keys among all nodes, and consistent, sorted unmerged leaves.
   *
   * <p>Lifetimes and credentials are not checked here; that is the caller's policy.
   *
   * @param groupId the group id leaves are signed with
   * @throws MlsValidationException if any check fails
   */
  public void validate(byte[] groupId) throws MlsValidationException {
    Objects.requireNonNull(groupId, "groupId");
    // RFC 9420 §12.1.3: a tree whose right half holds no member would have been truncated
    boolean rightHalfUsed = leafCount == 1;
    for (int i = 2 * (leafCount >>> 1); i < nodes.length && !rightHalfUsed; i += 2) {
      rightHalfUsed = nodes[i] != null;
    }
    if (!rightHalfUsed) {
      throw new MlsValidationException("malformed ratchet tree");
    }
    verifyUnmergedLeaves();
    verifyKeyUniqueness();
    verifyLeaves(groupId);
    verifyParentHashes();
  }

  /**
   * Validates a received tree as {@link #validate(byte[])} does and also checks its root hash.
   *
   * @param groupId the group id leaves are signed with
   * @param expectedTreeHash the {@code tree_hash} of the GroupContext
   * @throws MlsValidationException if the tree hash differs or any other check fails
   */
  public void validate(byte[] groupId, byte[] expectedTreeHash) throws MlsValidationException {
    if (!Arrays.equals(hashOf(TreeMath.root(leafCount)), expectedTreeHash)) {
      throw new MlsValidationException("tree hash mismatch");
    }
    validate(groupId);
  }

  private void verifyLeaves(byte[] groupId) throws MlsValidationException {
    Set<Integer> credentialTypes = new HashSet<>();
    for (int i = 0; i < nodes.length; i += 2) {
      if (nodes[i] instanceof LeafNode l) {
        credentialTypes.add(l.credential().credentialType());
      }
    }
    for (int i = 0; i < nodes.length; i += 2) {
      if (!(nodes[i] instanceof LeafNode l)) {
        continue;
      }
      if (!verifyLeafSignature(l, groupId, i >>> 1)) {
        throw new MlsValidationException("invalid leaf node signature");
      }
      // RFC 9420 §7.2, §7.3: own extensions and credential types are advertised
      for (Extension e : l.extensions()) {
        if (!isDefaultExtension(e.extensionType())
            && !l.capabilities().extensions().contains(e.extensionType())) {
          throw new MlsValidationException("unsupported leaf node extension");
        }
      }
      if (!l.capabilities().credentials().containsAll(credentialTypes)) {
        throw new MlsValidationException("unsupported credential type");
      }
    }
  }

  private static boolean isDefaultExtension(int type) {
    return type >= Extension.APPLICATION_ID && type <= Extension.EXTERNAL_SENDERS;
  }

  private void verifyKeyUniqueness() throws MlsValidationException {
    Set<ByteBuffer> encryption = new HashSet<>();
    Set<ByteBuffer> signature = new HashSet<>();
    for (Node n : nodes) {
      if (n == null) {
        continue;
      }
      if (!suite.isValidHpkePublicKey(keyOf(n))) {
        throw new MlsValidationException("invalid encryption key");
      }
      if (!encryption.add(ByteBuffer.wrap(keyOf(n)))) {
        throw new MlsValidationException("duplicate encryption key");
      }
      if (n instanceof LeafNode l && !signature.add(ByteBuffer.wrap(l.signatureKey()))) {
        throw new MlsValidationException("duplicate signature key");
      }
    }
  }

  private void verifyUnmergedLeaves() throws MlsValidationException {
    for (int p = 1; p < nodes.length; p += 2) {
      if (!(nodes[p] instanceof ParentNode parent)) {
        continue;
      }
      int previous = -1;
      for (int u : parent.unmergedLeaves()) {
        // RFC 9420 §7.1 sorted; §12.4.3.1 a non-blank descendant leaf
        if (u <= previous || u >= leafCount || !TreeMath.inSubtree(2 * u, p)
            || nodes[2 * u] == null) {
          throw new MlsValidationException("invalid unmerged leaves");
        }
        previous = u;
        for (int x = TreeMath.parentUnchecked(2 * u); x != p; x = TreeMath.parentUnchecked(x)) {
          if (nodes[x] instanceof ParentNode between && !between.unmergedLeaves().contains(u)) {
            throw new MlsValidationException("invalid unmerged leaves");
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------ encoding (§12.4.3.3)

  /**
   * Returns the nodes as the {@code ratchet_tree} extension lists them: array order, {@code
   * null} for blank, trailing blanks dropped (RFC 9420 §12.4.3.3).
   *
   * @return an unmodifiable list that may contain {@code null}
   */
  public List<Node> toNodes() {
    int end = nodes.length;
    while (end > 0 && nodes[end - 1] == null) {
      end--;
    }
    return Collections.unmodifiableList(Arrays.asList(Arrays.copyOf(nodes, end)));
  }

  /**
   * Encodes the tree as {@code ratchet_tree} extension data (RFC 9420 §12.4.3.3).
   *
   * @return the encoded {@code optional<Node> ratchet_tree<V>}
   */
  public byte[] encode() {
    return RatchetTreeData.encode(toNodes());
  }

  private static byte[] keyOf(Node n) {
    return n instanceof LeafNode l ? l.encryptionKey() : ((ParentNode) n).encryptionKey();
  }

  /**
   * Compares the public content of two trees (same suite, same nodes); cached hashes are ignored.
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof RatchetTree t && suite.id() == t.suite.id()
        && Arrays.equals(nodes, t.nodes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(nodes);
  }

  @Override
  public String toString() {
    return "RatchetTree[suite=" + suite.id() + ", leaves=" + leafCount + ", members="
        + memberCount() + "]";
  }

  /** A growable list of ints, to build resolutions and paths without boxing. */
  private static final class IntList {
    private int[] items = new int[8];
    private int size;

    void add(int v) {
      if (size == items.length) {
        items = Arrays.copyOf(items, size * 2);
      }
      items[size++] = v;
    }

    int[] toArray() {
      return Arrays.copyOf(items, size);
    }
  }
}
