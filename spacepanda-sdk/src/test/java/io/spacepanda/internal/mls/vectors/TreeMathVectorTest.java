package io.spacepanda.internal.mls.vectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.spacepanda.internal.mls.tree.TreeMath;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;

/** tree-math.json: root, left, right, parent and sibling of every node (RFC 9420 Appendix C). */
class TreeMathVectorTest {

  @Test
  void treeMath_allCases_matchVectors() {
    MlsVectors.Report report = new MlsVectors.Report("tree-math.json");
    for (JsonNode c : MlsVectors.load("tree-math.json")) {
      int n = c.get("n_leaves").asInt();
      report.run("n_leaves " + n, () -> {
        assertEquals(c.get("n_nodes").asInt(), TreeMath.nodeWidth(n));
        assertEquals(c.get("root").asInt(), TreeMath.root(n));
        int width = TreeMath.nodeWidth(n);
        for (int i = 0; i < width; i++) {
          check(c.get("left").get(i), TreeMath::left, i, "left");
          check(c.get("right").get(i), TreeMath::right, i, "right");
          check(c.get("parent").get(i), x -> TreeMath.parent(x, n), i, "parent");
          check(c.get("sibling").get(i), x -> TreeMath.sibling(x, n), i, "sibling");
        }
      });
    }
    report.finish();
  }

  private static void check(JsonNode expected, IntUnaryOperator f, int node, String what) {
    Integer actual;
    try {
      actual = f.applyAsInt(node);
    } catch (IllegalArgumentException e) {
      actual = null;
    }
    Integer want = expected == null || expected.isNull() ? null : expected.asInt();
    assertEquals(want, actual, what + " of node " + node);
  }
}
