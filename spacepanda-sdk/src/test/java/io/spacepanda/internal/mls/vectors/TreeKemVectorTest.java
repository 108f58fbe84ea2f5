package io.spacepanda.internal.mls.vectors;

import static io.spacepanda.internal.mls.vectors.MlsVectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.message.GroupContext;
import io.spacepanda.internal.mls.message.UpdatePath;
import io.spacepanda.internal.mls.tree.RatchetTree;
import io.spacepanda.internal.mls.tree.TreeKem;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * treekem.json: private TreeKEM state from path secrets, processing each UpdatePath by every
 * other member, and a fresh UpdatePath from each member processed by all others (RFC 9420 §7.4 to
 * §7.6), as test-vectors.md of mlswg/mls-implementations describes.
 */
class TreeKemVectorTest {

  private static final SecureRandom RANDOM = new SecureRandom();

  @Test
  void treeKem_allCases_matchVectors() {
    MlsVectors.Report report = new MlsVectors.Report("treekem.json");
    int index = 0;
    for (JsonNode c : MlsVectors.load("treekem.json")) {
      int caseIndex = index++;
      var suite = MlsVectors.suite(c);
      if (suite.isEmpty()) {
        report.skip();
        continue;
      }
      CipherSuite s = suite.get();
      report.run("case " + caseIndex + " suite " + s.id(), () -> runCase(s, c));
    }
    report.finish();
  }

  private static void runCase(CipherSuite s, JsonNode c) throws Exception {
    byte[] groupId = hex(c.get("group_id"));
    long epoch = c.get("epoch").asLong();
    byte[] confirmed = hex(c.get("confirmed_transcript_hash"));
    RatchetTree tree = RatchetTree.decode(s, hex(c.get("ratchet_tree")));
    tree.verifyParentHashes();

    Map<Integer, TreeKem> members = new HashMap<>();
    Map<Integer, byte[]> signatureKeys = new HashMap<>();
    for (JsonNode lp : c.get("leaves_private")) {
      int leaf = lp.get("index").asInt();
      TreeKem kem = TreeKem.forLeaf(s, leaf, hex(lp.get("encryption_priv")));
      assertNotNull(kem.privateKeyOrNull(tree, 2 * leaf), "leaf key of " + leaf);
      for (JsonNode ps : lp.get("path_secrets")) {
        kem = kem.withPathSecret(tree, ps.get("node").asInt(), hex(ps.get("path_secret")));
      }
      members.put(leaf, kem);
      signatureKeys.put(leaf, hex(lp.get("signature_priv")));
    }

    for (JsonNode up : c.get("update_paths")) {
      int sender = up.get("sender").asInt();
      UpdatePath path = TlsReader.decodeExactly(hex(up.get("update_path")), UpdatePath::decode);
      RatchetTree merged = tree.copy();
      merged.mergeUpdatePath(sender, path, groupId);
      assertArrayEquals(hex(up.get("tree_hash_after")), merged.treeHash());
      merged.verifyParentHashes();
      byte[] context = context(s, groupId, epoch, merged.treeHash(), confirmed);
      for (Map.Entry<Integer, TreeKem> m : members.entrySet()) {
        int j = m.getKey();
        if (j == sender || tree.leaf(j) == null) {
          continue;
        }
        TreeKem.DecryptedPath d = m.getValue().decryptPath(merged, sender, path, context, Set.of());
        assertArrayEquals(hex(up.get("path_secrets").get(j)), d.pathSecret(), "path secret " + j);
        assertArrayEquals(hex(up.get("commit_secret")), d.commitSecret(), "commit secret " + j);
      }

      RatchetTree provisional = tree.copy();
      TreeKem.PreparedPath prepared = members.get(sender).preparePath(provisional, null, groupId,
          signatureKeys.get(sender), Set.of(), RANDOM);
      byte[] newContext = context(s, groupId, epoch, provisional.treeHash(), confirmed);
      UpdatePath fresh = prepared.updatePath(newContext);
      provisional.verifyParentHashes();
      for (Map.Entry<Integer, TreeKem> m : members.entrySet()) {
        int j = m.getKey();
        if (j == sender || tree.leaf(j) == null) {
          continue;
        }
        RatchetTree theirs = tree.copy();
        theirs.mergeUpdatePath(sender, fresh, groupId);
        assertEquals(provisional, theirs);
        assertArrayEquals(provisional.treeHash(), theirs.treeHash());
        TreeKem.DecryptedPath d = m.getValue().decryptPath(theirs, sender, fresh, newContext,
            Set.of());
        assertArrayEquals(prepared.commitSecret(), d.commitSecret(), "new commit secret " + j);
        assertArrayEquals(prepared.pathSecretFor(j), d.pathSecret(), "new path secret " + j);
      }
    }
  }

  private static byte[] context(CipherSuite s, byte[] groupId, long epoch, byte[] treeHash,
      byte[] confirmed) {
    return new GroupContext(1, s.id(), groupId, epoch, treeHash, confirmed, List.of()).toBytes();
  }
}
