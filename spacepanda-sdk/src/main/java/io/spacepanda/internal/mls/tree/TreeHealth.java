package io.spacepanda.internal.mls.tree;

/**
 * How far a ratchet tree is from full (RFC 9420 §4.1, §7.6): what makes a commit encrypt its path
 * secrets to more than one key per copath node.
 *
 * <p>A commit's UpdatePath costs one HPKE encryption per node in the resolutions of its copath.
 * On a full tree (no blank parent, no unmerged leaf) that is one per copath node, about log2(n);
 * every blank parent whose two subtrees both hold members splits a resolution in two, and every
 * unmerged leaf adds one more key to its parent's resolution, up to n - 1 on a blank tree.
 *
 * @param members occupied leaves
 * @param blankParents blank parent nodes both of whose subtrees hold a member (blank parents over
 *     an empty subtree cost nothing and are not counted)
 * @param unmergedLeaves entries in the {@code unmerged_leaves} lists of all parent nodes
 */
public record TreeHealth(int members, int blankParents, int unmergedLeaves) {

  /**
   * Returns whether the tree is full: no commit encrypts to more than one key per copath node.
   *
   * @return true if there is no blank parent and no unmerged leaf
   */
  public boolean full() {
    return blankParents == 0 && unmergedLeaves == 0;
  }
}
