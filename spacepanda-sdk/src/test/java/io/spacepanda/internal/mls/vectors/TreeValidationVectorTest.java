package io.spacepanda.internal.mls.vectors;

import static io.spacepanda.internal.mls.vectors.MlsVectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.tree.RatchetTree;
import org.junit.jupiter.api.Test;

/**
 * tree-validation.json: per-node tree hashes and resolutions, parent-hash validity and leaf
 * signatures of whole trees (RFC 9420 §4.1.1, §7.8, §7.9.2, §12.4.3.1).
 */
class TreeValidationVectorTest {

  @Test
  void treeValidation_allCases_matchVectors() {
    MlsVectors.Report report = new MlsVectors.Report("tree-validation.json");
    int index = 0;
    for (JsonNode c : MlsVectors.load("tree-validation.json")) {
      int caseIndex = index++;
      var suite = MlsVectors.suite(c);
      if (suite.isEmpty()) {
        report.skip();
        continue;
      }
      CipherSuite s = suite.get();
      report.run("case " + caseIndex + " suite " + s.id(), () -> {
        RatchetTree tree = RatchetTree.decode(s, hex(c.get("tree")));
        JsonNode hashes = c.get("tree_hashes");
        JsonNode resolutions = c.get("resolutions");
        assertEquals(hashes.size(), tree.nodeWidth());
        assertEquals(resolutions.size(), tree.nodeWidth());
        for (int i = 0; i < tree.nodeWidth(); i++) {
          assertArrayEquals(hex(hashes.get(i)), tree.treeHash(i), "tree hash of node " + i);
          JsonNode want = resolutions.get(i);
          int[] expected = new int[want.size()];
          for (int j = 0; j < expected.length; j++) {
            expected[j] = want.get(j).asInt();
          }
          assertArrayEquals(expected, tree.resolution(i), "resolution of node " + i);
        }
        tree.validate(hex(c.get("group_id")), hex(hashes.get(tree.nodeWidth() / 2)));
        assertArrayEquals(hex(c.get("tree")), tree.encode());
      });
    }
    report.finish();
  }
}
