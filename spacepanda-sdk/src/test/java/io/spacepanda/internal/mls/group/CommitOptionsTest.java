package io.spacepanda.internal.mls.group;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CommitOptionsTest {

  @Test
  void defaults_includePendingByReference_pathOnlyWhenRequired_privateMessage() {
    CommitOptions o = CommitOptions.defaults();
    assertTrue(o.includePendingProposals());
    assertFalse(o.forcePath());
    assertFalse(o.publicMessage());
    assertTrue(o.ratchetTreeInWelcome());
    assertTrue(o.adds().isEmpty());
    assertEquals(0, o.authenticatedData().length);
  }

  @Test
  void builder_copiesItsInputs() {
    byte[] aad = {1, 2};
    CommitOptions.Builder b = CommitOptions.builder().remove(3).authenticatedData(aad);
    CommitOptions o = b.build();
    aad[0] = 9;
    b.remove(4);
    assertEquals(List.of(3), o.removes());
    assertArrayEquals(new byte[] {1, 2}, o.authenticatedData());
  }

  @Test
  void negativeLeaf_isRejected() {
    assertThrows(IllegalArgumentException.class, () -> CommitOptions.builder().remove(-1));
  }
}
