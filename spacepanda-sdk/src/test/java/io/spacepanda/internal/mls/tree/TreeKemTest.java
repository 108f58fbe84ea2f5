package io.spacepanda.internal.mls.tree;

import static io.spacepanda.internal.mls.tree.TreeFixture.GROUP_ID;
import static io.spacepanda.internal.mls.tree.TreeFixture.SUITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.mls.MlsDecryptionException;
import io.spacepanda.internal.mls.MlsValidationException;
import io.spacepanda.internal.mls.message.LeafNodeSource;
import io.spacepanda.internal.mls.message.UpdatePath;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TreeKemTest {

  private static TreeFixture fullGroupOf(int members, long seed) throws Exception {
    TreeFixture f = new TreeFixture(seed);
    List<TreeFixture.Member> joiners = new ArrayList<>();
    for (int i = 1; i < members; i++) {
      joiners.add(f.newMember());
    }
    f.commit(0, joiners);
    for (int i = 1; i < members; i++) {
      f.commit(i, List.of());
    }
    return f;
  }

  @Test
  void preparePath_withAdds_encryptsToResolutionsWithoutNewMembers() throws Exception {
    TreeFixture f = fullGroupOf(3, 1);
    RatchetTree provisional = f.tree.copy();
    int added = provisional.addLeaf(f.newMember().leaf);
    assertEquals(3, added);
    TreeKem.PreparedPath prepared = f.kems.get(0).preparePath(provisional, null, GROUP_ID,
        f.signatureKeys.get(0), Set.of(added), f.random);
    UpdatePath path = prepared.updatePath(new byte[] {7});
    assertArrayEquals(new int[] {1, 3}, provisional.filteredDirectPath(0));
    assertEquals(1, path.nodes().get(0).encryptedPathSecret().size());
    // copath child 5 was blank before the add: its resolution is {leaf 2, leaf 3} minus leaf 3
    assertEquals(1, path.nodes().get(1).encryptedPathSecret().size());
    assertEquals(LeafNodeSource.COMMIT, path.leafNode().source());
    assertTrue(provisional.verifyLeafSignature(path.leafNode(), GROUP_ID, 0));
    assertNotNull(prepared.pathSecretFor(added));
    provisional.verifyParentHashes();
  }

  @Test
  void commit_withJoiners_everyoneDerivesSameKeysAndJoinersGetWelcomeKeys() throws Exception {
    TreeFixture f = fullGroupOf(4, 2);
    f.commit(2, List.of(f.newMember(), f.newMember()));
    assertEquals(6, f.tree.memberCount());
    for (int leaf : f.members()) {
      TreeKem kem = f.kems.get(leaf);
      assertNotNull(kem.privateKeyOrNull(f.tree, TreeMath.root(f.tree.leafCount())),
          "root key at leaf " + leaf);
      assertNotNull(kem.privateKeyOrNull(f.tree, 2 * leaf), "leaf key at leaf " + leaf);
    }
    // a joiner can process the next commit
    f.commit(1, List.of());
    f.commit(5, List.of());
    f.tree.validate(GROUP_ID);
  }

  @Test
  void decryptPath_wrongGroupContext_failsDecryption() throws Exception {
    TreeFixture f = fullGroupOf(4, 3);
    RatchetTree provisional = f.tree.copy();
    TreeKem.PreparedPath prepared = f.kems.get(0).preparePath(provisional, null, GROUP_ID,
        f.signatureKeys.get(0), Set.of(), f.random);
    UpdatePath path = prepared.updatePath(new byte[] {1});
    RatchetTree merged = f.tree.copy();
    merged.mergeUpdatePath(0, path, GROUP_ID);
    MlsDecryptionException e = assertThrows(MlsDecryptionException.class,
        () -> f.kems.get(3).decryptPath(merged, 0, path, new byte[] {2}, Set.of()));
    assertEquals("decryption failed", e.getMessage());
    assertThrows(MlsValidationException.class,
        () -> f.kems.get(0).decryptPath(merged, 0, path, new byte[] {1}, Set.of()));
  }

  @Test
  void decryptPath_removedMember_hasNoKey() throws Exception {
    TreeFixture f = fullGroupOf(4, 4);
    TreeKem removed = f.kems.get(1);
    RatchetTree provisional = f.tree.copy();
    provisional.removeLeaf(1);
    TreeKem.PreparedPath prepared = f.kems.get(0).preparePath(provisional, null, GROUP_ID,
        f.signatureKeys.get(0), Set.of(), f.random);
    UpdatePath path = prepared.updatePath(new byte[] {1});
    RatchetTree merged = f.tree.copy();
    merged.removeLeaf(1);
    merged.mergeUpdatePath(0, path, GROUP_ID);
    assertThrows(MlsValidationException.class,
        () -> removed.decryptPath(merged, 0, path, new byte[] {1}, Set.of()));
    assertTrue(removed.knownNodes(merged).isEmpty());
  }

  @Test
  void externalJoiner_reservedLeafAndTemplate_commitsAPathOthersDecrypt() throws Exception {
    TreeFixture f = fullGroupOf(4, 5);
    TreeFixture.Member joiner = f.newMember();
    RatchetTree provisional = f.tree.copy();
    int leaf = provisional.reserveLeaf();
    assertEquals(4, leaf);
    assertEquals(8, provisional.leafCount());
    TreeKem.PreparedPath prepared = TreeKem.withoutKeys(SUITE, leaf).preparePath(provisional,
        joiner.leaf, GROUP_ID, joiner.signature.privateKey(), Set.of(), f.random);
    UpdatePath path = prepared.updatePath(new byte[] {9});
    RatchetTree merged = f.tree.copy();
    assertEquals(leaf, merged.reserveLeaf());
    merged.mergeUpdatePath(leaf, path, GROUP_ID);
    assertEquals(provisional, merged);
    merged.validate(GROUP_ID);
    TreeKem.DecryptedPath d = f.kems.get(2).decryptPath(merged, leaf, path, new byte[] {9},
        Set.of());
    assertArrayEquals(prepared.commitSecret(), d.commitSecret());
  }

  @Test
  void withPathSecret_keyNotInTree_rejected() throws Exception {
    TreeFixture f = fullGroupOf(2, 6);
    assertThrows(MlsValidationException.class,
        () -> f.kems.get(0).withPathSecret(f.tree, 1, new byte[32]));
    assertThrows(MlsValidationException.class,
        () -> f.kems.get(0).withWelcomePathSecret(f.tree, 1, new byte[32]));
  }

  @Test
  void prune_afterOwnUpdateAndOtherCommit_dropsStaleKeys() throws Exception {
    TreeFixture f = fullGroupOf(4, 7);
    TreeKem before = f.kems.get(3);
    assertEquals(List.of(3, 5, 6), before.knownNodes(f.tree));
    f.update(f.tree, 3);
    assertNull(before.privateKeyOrNull(f.tree, 6));
    assertNull(before.privateKeyOrNull(f.tree, 5));
    TreeKem pruned = f.kems.get(3).prune(f.tree);
    assertEquals(List.of(6), pruned.knownNodes(f.tree));
  }

  @Test
  void toString_noSecrets() throws Exception {
    TreeFixture f = fullGroupOf(2, 8);
    RatchetTree provisional = f.tree.copy();
    TreeKem.PreparedPath prepared = f.kems.get(0).preparePath(provisional, null, GROUP_ID,
        f.signatureKeys.get(0), Set.of(), f.random);
    String secret = HexFormat.of().formatHex(prepared.commitSecret());
    String text = prepared + " " + prepared.state() + " " + f.kems.get(1);
    assertFalse(text.contains(secret));
    assertFalse(text.toLowerCase().contains(HexFormat.of().formatHex(
        f.kems.get(1).privateKeyOrNull(f.tree, 2))));
  }

  @Test
  void updatePath_onExecutor_decryptsLikeSequentialPath() throws Exception {
    TreeFixture f = new TreeFixture(9);
    List<TreeFixture.Member> joiners = new ArrayList<>();
    for (int i = 1; i < 70; i++) {
      joiners.add(f.newMember());
    }
    f.commit(0, joiners);
    RatchetTree provisional = f.tree.copy();
    TreeKem.PreparedPath prepared = f.kems.get(0).preparePath(provisional, null, GROUP_ID,
        f.signatureKeys.get(0), Set.of(), f.random);
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    UpdatePath path;
    try {
      path = prepared.updatePath(new byte[] {3}, pool);
    } finally {
      pool.shutdown();
    }
    assertEquals(69, path.nodes().stream().mapToInt(n -> n.encryptedPathSecret().size()).sum());
    RatchetTree merged = f.tree.copy();
    merged.mergeUpdatePath(0, path, GROUP_ID);
    for (int leaf : List.of(1, 40, 69)) {
      assertArrayEquals(prepared.commitSecret(),
          f.kems.get(leaf).decryptPath(merged, 0, path, new byte[] {3}, Set.of()).commitSecret());
    }
  }
}
