package io.spacepanda.internal.mls.tree;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class TreeMathTest {

  @Test
  void directPathAndCopath_eightLeaves_followAppendixC() {
    assertArrayEquals(new int[] {1, 3, 7}, TreeMath.directPath(0, 8));
    assertArrayEquals(new int[] {2, 5, 11}, TreeMath.copath(0, 8));
    assertArrayEquals(new int[] {13, 11, 7}, TreeMath.directPath(12, 8));
    assertArrayEquals(new int[] {14, 9, 3}, TreeMath.copath(12, 8));
    assertArrayEquals(new int[0], TreeMath.directPath(7, 8));
    assertArrayEquals(new int[0], TreeMath.directPath(0, 1));
  }

  @Test
  void commonAncestor_pairsOfLeaves_isLowestSharedNode() {
    assertEquals(1, TreeMath.commonAncestor(0, 2));
    assertEquals(3, TreeMath.commonAncestor(0, 4));
    assertEquals(7, TreeMath.commonAncestor(2, 12));
    assertEquals(11, TreeMath.commonAncestor(8, 14));
    assertEquals(3, TreeMath.commonAncestor(3, 4));
    assertEquals(4, TreeMath.commonAncestor(4, 4));
  }

  @Test
  void misuse_leafChildrenOrRootParent_throws() {
    assertThrows(IllegalArgumentException.class, () -> TreeMath.left(4));
    assertThrows(IllegalArgumentException.class, () -> TreeMath.right(0));
    assertThrows(IllegalArgumentException.class, () -> TreeMath.parent(7, 8));
    assertThrows(IllegalArgumentException.class, () -> TreeMath.parent(15, 8));
    assertThrows(IllegalArgumentException.class, () -> TreeMath.nodeToLeaf(3));
    assertThrows(IllegalArgumentException.class, () -> TreeMath.root(0));
  }

  @Test
  void subtreeHelpers_levelTwoNode_coverFourLeaves() {
    assertTrue(TreeMath.inSubtree(0, 3));
    assertTrue(TreeMath.inSubtree(6, 3));
    assertFalse(TreeMath.inSubtree(8, 3));
    assertEquals(4, TreeMath.firstLeaf(11));
    assertEquals(4, TreeMath.subtreeLeafCount(11));
  }

  @Property
  void commonAncestor_anyTwoLeaves_isOnBothDirectPaths(
      @ForAll @IntRange(min = 0, max = 10) int depth,
      @ForAll @IntRange(min = 0, max = 1023) int a,
      @ForAll @IntRange(min = 0, max = 1023) int b) {
    int n = 1 << depth;
    int x = 2 * (a % n);
    int y = 2 * (b % n);
    int ca = TreeMath.commonAncestor(x, y);
    assertTrue(TreeMath.inSubtree(x, ca));
    assertTrue(TreeMath.inSubtree(y, ca));
    if (x != y) {
      assertFalse(TreeMath.inSubtree(x, TreeMath.left(ca)) && TreeMath.inSubtree(y, TreeMath.left(ca)));
      assertFalse(TreeMath.inSubtree(x, TreeMath.right(ca)) && TreeMath.inSubtree(y, TreeMath.right(ca)));
    }
  }

  @Property
  void parentOfChild_anyParentNode_isThatNode(@ForAll @IntRange(min = 1, max = 10) int depth,
      @ForAll @IntRange(min = 0, max = 2046) int raw) {
    int n = 1 << depth;
    int node = raw % TreeMath.nodeWidth(n);
    if (TreeMath.isLeaf(node)) {
      return;
    }
    assertEquals(node, TreeMath.parent(TreeMath.left(node), n));
    assertEquals(node, TreeMath.parent(TreeMath.right(node), n));
    assertEquals(TreeMath.right(node), TreeMath.sibling(TreeMath.left(node), n));
  }
}
