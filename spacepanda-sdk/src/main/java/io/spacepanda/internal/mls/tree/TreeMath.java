package io.spacepanda.internal.mls.tree;

/**
 * Node index arithmetic of the array-based ratchet tree (RFC 9420 Appendix C).
 *
 * <p>Design: leaves sit at even node indices (leaf {@code L} at node {@code 2L}), parents at odd
 * ones, and a parent at level {@code k} covers the {@code 2^k} leaves around it. Every relation
 * is a few bit operations on the index, so nothing here allocates except the path arrays. The
 * leaf count {@code n} of an RFC 9420 tree is a power of two; the functions accept any {@code n
 * >= 1} and then behave as the appendix's Python does. Node indices are {@code int}, so a tree
 * holds at most {@link #MAX_LEAVES} leaves.
 *
 * <p>All methods are pure and thread-safe. Misuse (a leaf asked for its children, the root for
 * its parent, an index out of range) throws {@link IllegalArgumentException}.
 */
public final class TreeMath {

  /** The largest leaf count whose node indices fit an {@code int}. */
  public static final int MAX_LEAVES = 1 << 30;

  private TreeMath() {}

  /**
   * Returns the exponent of the largest power of two not above {@code x} (0 for 0).
   *
   * @param x a non-negative value
   * @return {@code floor(log2(x))}, or 0 when {@code x == 0}
   */
  public static int log2(int x) {
    return x == 0 ? 0 : 31 - Integer.numberOfLeadingZeros(x);
  }

  /**
   * Returns the level of a node: 0 for leaves, the number of trailing one bits otherwise.
   *
   * @param node a node index
   * @return its level
   */
  public static int level(int node) {
    return Integer.numberOfTrailingZeros(~node);
  }

  /**
   * Returns the number of array entries of a tree with {@code leafCount} leaves.
   *
   * @param leafCount the number of leaves
   * @return {@code 2 * (leafCount - 1) + 1}, or 0 for an empty tree
   */
  public static int nodeWidth(int leafCount) {
    checkLeafCount(leafCount, true);
    return leafCount == 0 ? 0 : 2 * (leafCount - 1) + 1;
  }

  /**
   * Returns the node index of the root of a tree with {@code leafCount} leaves.
   *
   * @param leafCount the number of leaves, at least 1
   * @return the root's node index
   */
  public static int root(int leafCount) {
    checkLeafCount(leafCount, false);
    return (1 << log2(nodeWidth(leafCount))) - 1;
  }

  /**
   * Returns the left child of a parent node.
   *
   * @param node a parent node index (odd)
   * @return its left child
   * @throws IllegalArgumentException if {@code node} is a leaf
   */
  public static int left(int node) {
    int k = level(node);
    if (k == 0) {
      throw new IllegalArgumentException("leaf node " + node + " has no children");
    }
    return node ^ (1 << (k - 1));
  }

  /**
   * Returns the right child of a parent node.
   *
   * @param node a parent node index (odd)
   * @return its right child
   * @throws IllegalArgumentException if {@code node} is a leaf
   */
  public static int right(int node) {
    int k = level(node);
    if (k == 0) {
      throw new IllegalArgumentException("leaf node " + node + " has no children");
    }
    return node ^ (3 << (k - 1));
  }

  /**
   * Returns the parent of a node in a tree with {@code leafCount} leaves.
   *
   * @param node a node index other than the root
   * @param leafCount the number of leaves
   * @return the parent's node index
   * @throws IllegalArgumentException if {@code node} is the root or outside the tree
   */
  public static int parent(int node, int leafCount) {
    checkNode(node, leafCount);
    if (node == root(leafCount)) {
      throw new IllegalArgumentException("root node " + node + " has no parent");
    }
    return parentUnchecked(node);
  }

  /**
   * Returns the parent of a node in the infinite array tree, without any range check.
   *
   * @param node a node index
   * @return the node's parent when the tree is wide enough to contain it
   */
  static int parentUnchecked(int node) {
    int k = level(node);
    int b = (node >> (k + 1)) & 1;
    return (node | (1 << k)) ^ (b << (k + 1));
  }

  /**
   * Returns the other child of a node's parent.
   *
   * @param node a node index other than the root
   * @param leafCount the number of leaves
   * @return the sibling's node index
   * @throws IllegalArgumentException if {@code node} is the root or outside the tree
   */
  public static int sibling(int node, int leafCount) {
    int p = parent(node, leafCount);
    return node < p ? right(p) : left(p);
  }

  /**
   * Returns the direct path of a node, from its parent up to the root.
   *
   * @param node a node index
   * @param leafCount the number of leaves
   * @return the ancestors of {@code node}, nearest first (empty for the root)
   */
  public static int[] directPath(int node, int leafCount) {
    checkNode(node, leafCount);
    int r = root(leafCount);
    int[] out = new int[level(r) - level(node)];
    int x = node;
    int i = 0;
    while (x != r) {
      x = parentUnchecked(x);
      out[i++] = x;
    }
    return i == out.length ? out : java.util.Arrays.copyOf(out, i);
  }

  /**
   * Returns the copath of a node: its sibling, then the siblings of its ancestors below the root.
   *
   * @param node a node index
   * @param leafCount the number of leaves
   * @return the copath, nearest first (empty for the root)
   */
  public static int[] copath(int node, int leafCount) {
    int[] dp = directPath(node, leafCount);
    int[] out = new int[dp.length];
    int child = node;
    for (int i = 0; i < dp.length; i++) {
      int p = dp[i];
      out[i] = child < p ? right(p) : left(p);
      child = p;
    }
    return out;
  }

  /**
   * Returns the lowest node that is an ancestor of (or equal to) both nodes.
   *
   * @param x a node index
   * @param y a node index
   * @return the node index of their lowest common ancestor
   */
  public static int commonAncestor(int x, int y) {
    int lx = level(x) + 1;
    int ly = level(y) + 1;
    if (lx <= ly && (x >>> ly) == (y >>> ly)) {
      return y;
    }
    if (ly <= lx && (x >>> lx) == (y >>> lx)) {
      return x;
    }
    int xn = x;
    int yn = y;
    int k = 0;
    while (xn != yn) {
      xn >>>= 1;
      yn >>>= 1;
      k++;
    }
    return (xn << k) + (1 << (k - 1)) - 1;
  }

  /**
   * Tells whether {@code node} lies in the subtree headed by {@code head} (or is {@code head}).
   *
   * @param node a node index
   * @param head the head of a subtree
   * @return whether {@code node} is {@code head} or one of its descendants
   */
  public static boolean inSubtree(int node, int head) {
    int k = level(head);
    int span = (1 << k) - 1;
    return node >= head - span && node <= head + span;
  }

  /**
   * Returns the first leaf index covered by the subtree headed by {@code head}.
   *
   * @param head a node index
   * @return the leftmost leaf index under {@code head}
   */
  public static int firstLeaf(int head) {
    return (head - ((1 << level(head)) - 1)) >>> 1;
  }

  /**
   * Returns the number of leaves covered by the subtree headed by {@code head}.
   *
   * @param head a node index
   * @return {@code 2^level(head)}
   */
  public static int subtreeLeafCount(int head) {
    return 1 << level(head);
  }

  /**
   * Returns the node index of a leaf.
   *
   * @param leafIndex a leaf index
   * @return {@code 2 * leafIndex}
   */
  public static int leafToNode(int leafIndex) {
    if (leafIndex < 0 || leafIndex >= MAX_LEAVES) {
      throw new IllegalArgumentException("leaf index out of range: " + leafIndex);
    }
    return leafIndex << 1;
  }

  /**
   * Returns the leaf index of a leaf node.
   *
   * @param node an even node index
   * @return {@code node / 2}
   * @throws IllegalArgumentException if {@code node} is not a leaf
   */
  public static int nodeToLeaf(int node) {
    if ((node & 1) != 0 || node < 0) {
      throw new IllegalArgumentException("not a leaf node: " + node);
    }
    return node >>> 1;
  }

  /**
   * Tells whether a node index denotes a leaf.
   *
   * @param node a node index
   * @return whether it is even
   */
  public static boolean isLeaf(int node) {
    return (node & 1) == 0;
  }

  private static void checkLeafCount(int leafCount, boolean zeroAllowed) {
    if (leafCount < (zeroAllowed ? 0 : 1) || leafCount > MAX_LEAVES) {
      throw new IllegalArgumentException("leaf count out of range: " + leafCount);
    }
  }

  private static void checkNode(int node, int leafCount) {
    if (node < 0 || node >= nodeWidth(leafCount)) {
      throw new IllegalArgumentException("node " + node + " outside a tree of " + leafCount
          + " leaves");
    }
  }
}
