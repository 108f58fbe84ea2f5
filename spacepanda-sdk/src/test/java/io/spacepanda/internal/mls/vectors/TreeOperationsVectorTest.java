package io.spacepanda.internal.mls.vectors;

import static io.spacepanda.internal.mls.vectors.MlsVectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.message.Proposal;
import io.spacepanda.internal.mls.tree.RatchetTree;
import org.junit.jupiter.api.Test;

/** tree-operations.json: Add, Update and Remove applied to a ratchet tree (RFC 9420 §12.1). */
class TreeOperationsVectorTest {

  @Test
  void treeOperations_allCases_matchVectors() {
    MlsVectors.Report report = new MlsVectors.Report("tree-operations.json");
    int index = 0;
    for (JsonNode c : MlsVectors.load("tree-operations.json")) {
      int caseIndex = index++;
      var suite = MlsVectors.suite(c);
      if (suite.isEmpty()) {
        report.skip();
        continue;
      }
      CipherSuite s = suite.get();
      report.run("case " + caseIndex, () -> {
        RatchetTree tree = RatchetTree.decode(s, hex(c.get("tree_before")));
        assertArrayEquals(hex(c.get("tree_hash_before")), tree.treeHash());
        Proposal proposal = TlsReader.decodeExactly(hex(c.get("proposal")), Proposal::decode);
        int sender = c.get("proposal_sender").asInt();
        if (proposal instanceof Proposal.Add add) {
          tree.addLeaf(add.keyPackage().leafNode());
        } else if (proposal instanceof Proposal.Update update) {
          tree.updateLeaf(sender, update.leafNode());
        } else if (proposal instanceof Proposal.Remove remove) {
          tree.removeLeaf(remove.removed());
        } else {
          throw new AssertionError("unexpected proposal type " + proposal.type());
        }
        assertArrayEquals(hex(c.get("tree_after")), tree.encode());
        assertArrayEquals(hex(c.get("tree_hash_after")), tree.treeHash());
      });
    }
    report.finish();
  }
}
