package io.spacepanda.internal.mls.tree;

import static io.spacepanda.internal.mls.tree.TreeFixture.GROUP_ID;
import static io.spacepanda.internal.mls.tree.TreeFixture.SUITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.MlsValidationException;
import io.spacepanda.internal.mls.message.LeafNode;
import io.spacepanda.internal.mls.message.LeafNodeSource;
import io.spacepanda.internal.mls.message.Node;
import io.spacepanda.internal.mls.message.ParentNode;
import io.spacepanda.internal.mls.message.UpdatePath;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class RatchetTreeTest {

  private static TreeFixture groupOf(int members, long seed) throws Exception {
    TreeFixture f = new TreeFixture(seed);
    List<TreeFixture.Member> joiners = new ArrayList<>();
    for (int i = 1; i < members; i++) {
      joiners.add(f.newMember());
    }
    f.commit(0, joiners);
    return f;
  }

  /** A group in which every member has committed once, so every parent node is set. */
  private static TreeFixture fullGroupOf(int members, long seed) throws Exception {
    TreeFixture f = groupOf(members, seed);
    for (int i = 1; i < members; i++) {
      f.commit(i, List.of());
    }
    return f;
  }

  @Test
  void addLeaf_fullTree_extendsAndRecordsUnmergedLeaf() throws Exception {
    TreeFixture f = groupOf(2, 1);
    assertEquals(2, f.tree.leafCount());
    assertTrue(f.tree.node(1) instanceof ParentNode);
    int leaf = f.tree.addLeaf(f.newMember().leaf);
    assertEquals(2, leaf);
    assertEquals(4, f.tree.leafCount());
    assertEquals(7, f.tree.nodeWidth());
    assertNull(f.tree.node(3));
    assertEquals(List.of(), f.tree.parentNode(1).unmergedLeaves());
    f.tree.validate(GROUP_ID);
  }

  @Test
  void addLeaf_blankLeafInside_takesLeftmostBlankAndMarksNonBlankAncestors() throws Exception {
    TreeFixture f = fullGroupOf(8, 2);
    f.remove(f.tree, 5);
    f.commit(4, List.of());
    assertNull(f.tree.node(9));
    assertEquals(5, f.tree.leftmostFreeLeaf());
    int leaf = f.tree.addLeaf(f.newMember().leaf);
    assertEquals(5, leaf);
    assertEquals(List.of(5), f.tree.parentNode(11).unmergedLeaves());
    assertEquals(List.of(5), f.tree.parentNode(7).unmergedLeaves());
    assertArrayEquals(new int[] {11, 10}, f.tree.resolution(11));
    assertArrayEquals(new int[] {8, 10}, f.tree.resolution(9));
    assertArrayEquals(new int[] {11}, f.tree.resolution(11, Set.of(5)));
    f.tree.validate(GROUP_ID);
  }

  @Test
  void removeLeaf_lastMemberOfRightHalf_truncatesTree() throws Exception {
    TreeFixture f = groupOf(3, 3);
    assertEquals(4, f.tree.leafCount());
    f.tree.removeLeaf(2);
    assertEquals(2, f.tree.leafCount());
    assertEquals(3, f.tree.nodeWidth());
    assertTrue(f.tree.node(1) instanceof ParentNode);
    f.tree.validate(GROUP_ID);
  }

  @Test
  void removeLeaf_blankLeaf_throwsValidation() throws Exception {
    TreeFixture f = groupOf(3, 4);
    assertThrows(MlsValidationException.class, () -> f.tree.removeLeaf(3));
    assertThrows(MlsValidationException.class, () -> f.tree.removeLeaf(9));
    assertThrows(MlsValidationException.class, () -> f.tree.updateLeaf(3, f.tree.leaf(0)));
  }

  @Test
  void updateLeaf_member_blanksDirectPath() throws Exception {
    TreeFixture f = fullGroupOf(4, 5);
    assertTrue(f.tree.node(3) instanceof ParentNode);
    f.update(f.tree, 1);
    assertNull(f.tree.node(1));
    assertNull(f.tree.node(3));
    assertEquals(LeafNodeSource.UPDATE, f.tree.leaf(1).source());
  }

  @Test
  void copy_changed_leavesOriginalAndItsHashAlone() throws Exception {
    TreeFixture f = groupOf(4, 6);
    byte[] before = f.tree.treeHash();
    RatchetTree copy = f.tree.copy();
    copy.removeLeaf(3);
    assertArrayEquals(before, f.tree.treeHash());
    assertNotEquals(f.tree, copy);
    assertFalse(Arrays.equals(before, copy.treeHash()));
  }

  @Test
  void treeHash_afterChanges_equalsHashOfFreshlyDecodedTree() throws Exception {
    TreeFixture f = groupOf(5, 7);
    f.tree.treeHash();
    f.update(f.tree, 4);
    f.remove(f.tree, 2);
    f.commit(1, List.of(f.newMember()));
    RatchetTree fresh = RatchetTree.decode(SUITE, f.tree.encode());
    assertArrayEquals(fresh.treeHash(), f.tree.treeHash());
    assertEquals(fresh, f.tree);
  }

  @Test
  void filteredDirectPath_blankCopathSubtrees_skipsTheirParents() throws Exception {
    TreeFixture f = groupOf(5, 8);
    assertEquals(8, f.tree.leafCount());
    // leaf 4 is alone in its half: its copath children 10 and 13 resolve to nothing
    assertArrayEquals(new int[] {7}, f.tree.filteredDirectPath(4));
    assertArrayEquals(new int[] {1, 3, 7}, f.tree.filteredDirectPath(0));
  }

  @Test
  void fromNodes_malformedLists_throwValidation() throws Exception {
    TreeFixture f = groupOf(2, 9);
    LeafNode leaf = f.tree.leaf(0);
    ParentNode parent = f.tree.parentNode(1);
    assertThrows(MlsValidationException.class, () -> RatchetTree.fromNodes(SUITE, List.of()));
    assertThrows(MlsValidationException.class,
        () -> RatchetTree.fromNodes(SUITE, Arrays.asList(leaf, null)));
    assertThrows(MlsValidationException.class,
        () -> RatchetTree.fromNodes(SUITE, Arrays.asList(parent, leaf, leaf)));
    assertThrows(MlsValidationException.class,
        () -> RatchetTree.fromNodes(SUITE, Arrays.asList(leaf, leaf, leaf)));
  }

  @Test
  void decode_garbage_throwsDecode() {
    assertThrows(MlsDecodeException.class,
        () -> RatchetTree.decode(SUITE, new byte[] {5, 1, 2, 3}));
  }

  @Test
  void validate_forgedLeafSignature_fails() throws Exception {
    TreeFixture f = groupOf(3, 10);
    List<Node> nodes = new ArrayList<>(f.tree.toNodes());
    LeafNode l = (LeafNode) nodes.get(2);
    byte[] sig = l.signature().clone();
    sig[0] ^= 1;
    nodes.set(2, l.withSignature(sig));
    RatchetTree forged = RatchetTree.fromNodes(SUITE, nodes);
    MlsValidationException e =
        assertThrows(MlsValidationException.class, () -> forged.validate(GROUP_ID));
    assertEquals("invalid leaf node signature", e.getMessage());
    assertThrows(MlsValidationException.class, () -> f.tree.validate("other".getBytes()));
  }

  @Test
  void validate_parentKeyReplaced_failsParentHash() throws Exception {
    TreeFixture f = fullGroupOf(4, 11);
    List<Node> nodes = new ArrayList<>(f.tree.toNodes());
    ParentNode p = (ParentNode) nodes.get(5);
    nodes.set(5, new ParentNode(SUITE.generateHpkeKeyPair(f.random).publicKey(), p.parentHash(),
        p.unmergedLeaves()));
    RatchetTree forged = RatchetTree.fromNodes(SUITE, nodes);
    MlsValidationException e =
        assertThrows(MlsValidationException.class, () -> forged.validate(GROUP_ID));
    assertEquals("parent hash mismatch", e.getMessage());
  }

  @Test
  void validate_duplicateEncryptionKey_fails() throws Exception {
    TreeFixture f = fullGroupOf(4, 12);
    List<Node> nodes = new ArrayList<>(f.tree.toNodes());
    ParentNode p = (ParentNode) nodes.get(5);
    nodes.set(5, new ParentNode(f.tree.leaf(0).encryptionKey(), p.parentHash(), List.of()));
    MlsValidationException e = assertThrows(MlsValidationException.class,
        () -> RatchetTree.fromNodes(SUITE, nodes).validate(GROUP_ID));
    assertEquals("duplicate encryption key", e.getMessage());
  }

  @Test
  void validate_unmergedLeafNotBelowParent_fails() throws Exception {
    TreeFixture f = groupOf(4, 13);
    List<Node> nodes = new ArrayList<>(f.tree.toNodes());
    ParentNode p = (ParentNode) nodes.get(1);
    nodes.set(1, new ParentNode(p.encryptionKey(), p.parentHash(), List.of(3)));
    MlsValidationException e = assertThrows(MlsValidationException.class,
        () -> RatchetTree.fromNodes(SUITE, nodes).validate(GROUP_ID));
    assertEquals("invalid unmerged leaves", e.getMessage());
  }

  @Test
  void validate_wrongTreeHash_fails() throws Exception {
    TreeFixture f = groupOf(3, 14);
    assertThrows(MlsValidationException.class,
        () -> f.tree.validate(GROUP_ID, new byte[32]));
    f.tree.validate(GROUP_ID, f.tree.treeHash());
  }

  @Test
  void mergeUpdatePath_tamperedPath_rejected() throws Exception {
    TreeFixture f = fullGroupOf(4, 15);
    RatchetTree provisional = f.tree.copy();
    TreeKem.PreparedPath prepared = f.kems.get(1).preparePath(provisional, null, GROUP_ID,
        f.signatureKeys.get(1), Set.of(), f.random);
    UpdatePath good = prepared.updatePath(new byte[] {1});

    // a path node key swapped: the leaf's signed parent hash no longer matches
    List<io.spacepanda.internal.mls.message.UpdatePathNode> nodes = new ArrayList<>(good.nodes());
    nodes.set(1, new io.spacepanda.internal.mls.message.UpdatePathNode(
        SUITE.generateHpkeKeyPair(f.random).publicKey(), nodes.get(1).encryptedPathSecret()));
    MlsValidationException e = assertThrows(MlsValidationException.class,
        () -> f.tree.copy().mergeUpdatePath(1, new UpdatePath(good.leafNode(), nodes), GROUP_ID));
    assertEquals("parent hash mismatch", e.getMessage());

    // the right path under another sender index fails its signature
    assertThrows(MlsValidationException.class,
        () -> f.tree.copy().mergeUpdatePath(2, good, GROUP_ID));
    // one node too few
    assertThrows(MlsValidationException.class, () -> f.tree.copy().mergeUpdatePath(1,
        new UpdatePath(good.leafNode(), good.nodes().subList(0, 1)), GROUP_ID));
    // a key that is already in the tree
    List<io.spacepanda.internal.mls.message.UpdatePathNode> reused = new ArrayList<>(good.nodes());
    reused.set(0, new io.spacepanda.internal.mls.message.UpdatePathNode(
        f.tree.leaf(3).encryptionKey(), reused.get(0).encryptedPathSecret()));
    MlsValidationException dup = assertThrows(MlsValidationException.class,
        () -> f.tree.copy().mergeUpdatePath(1, new UpdatePath(good.leafNode(), reused), GROUP_ID));
    assertEquals("duplicate encryption key", dup.getMessage());

    RatchetTree ok = f.tree.copy();
    ok.mergeUpdatePath(1, good, GROUP_ID);
    assertEquals(provisional, ok);
  }

  /** One step of a random history: 0 add, 1 update, 2 remove, 3 commit with adds. */
  @Property(tries = 40)
  void randomHistory_keepsTreeParentHashValidAndRoundTripping(
      @ForAll @Size(min = 1, max = 12) List<@IntRange(min = 0, max = 3) Integer> steps,
      @ForAll @IntRange(min = 0, max = 1000) int pick, @ForAll long seed) throws Exception {
    TreeFixture f = new TreeFixture(seed);
    int cursor = pick;
    for (int step : steps) {
      List<Integer> members = f.members();
      int committer = members.get(Math.floorMod(cursor++, members.size()));
      switch (step) {
        case 0 -> f.commit(committer, List.of(f.newMember()));
        case 1 -> {
          int who = members.get(Math.floorMod(cursor++, members.size()));
          if (who != committer) {
            f.update(f.tree, who);
          }
          f.commit(committer, List.of());
        }
        case 2 -> {
          int who = members.get(Math.floorMod(cursor++, members.size()));
          if (who != committer) {
            f.remove(f.tree, who);
          }
          f.commit(committer, List.of());
        }
        default -> f.commit(committer, List.of(f.newMember(), f.newMember()));
      }
      f.tree.validate(GROUP_ID);
      RatchetTree decoded = RatchetTree.decode(SUITE, f.tree.encode());
      assertEquals(f.tree, decoded);
      assertArrayEquals(decoded.treeHash(), f.tree.treeHash());
      decoded.validate(GROUP_ID, f.tree.treeHash());
    }
  }

  private static byte[] sampleEncoding;

  private static synchronized byte[] sampleEncoding() throws Exception {
    if (sampleEncoding == null) {
      TreeFixture f = fullGroupOf(5, 99);
      f.tree.addLeaf(f.newMember().leaf);
      sampleEncoding = f.tree.encode();
    }
    return sampleEncoding;
  }

  @Property(tries = 300)
  void decode_mutatedEncoding_failsOnlyWithTypedErrors(
      @ForAll @IntRange(min = 0, max = 1 << 20) int position,
      @ForAll @IntRange(min = 1, max = 255) int xor,
      @ForAll boolean truncate) throws Exception {
    byte[] bytes = sampleEncoding().clone();
    int at = position % bytes.length;
    if (truncate) {
      bytes = Arrays.copyOf(bytes, at);
    } else {
      bytes[at] ^= (byte) xor;
    }
    RatchetTree tree;
    try {
      tree = RatchetTree.decode(SUITE, bytes);
    } catch (MlsDecodeException expected) {
      return;
    }
    tree.treeHash();
    assertEquals(tree, RatchetTree.decode(SUITE, tree.encode()));
    try {
      tree.validate(GROUP_ID);
    } catch (MlsValidationException expected) {
      return;
    }
  }

  @Property(tries = 300)
  void decode_randomBytes_failsOnlyWithDecodeError(@ForAll @Size(max = 300) byte[] bytes) {
    try {
      RatchetTree.decode(SUITE, bytes).treeHash();
    } catch (MlsDecodeException expected) {
      return;
    }
  }
}
