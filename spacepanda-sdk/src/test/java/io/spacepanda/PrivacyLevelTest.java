package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The builder's privacy level: DIRECT builds; the mixed levels are refused until wired. */
class PrivacyLevelTest {

  @Test
  void direct_builds_mixedLevels_refusedClearly_setTwice_fails() {
    SpacePanda node = SpacePanda.builder().storage(Storages.inMemory()).p2p(false)
        .privacyLevel(PrivacyLevel.DIRECT).build();
    node.close();
    for (PrivacyLevel level : new PrivacyLevel[] {PrivacyLevel.MIXED,
        PrivacyLevel.MIXED_WITH_COVER}) {
      SpacePanda.Builder b = SpacePanda.builder().storage(Storages.inMemory()).p2p(false)
          .privacyLevel(level);
      UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, b::build);
      assertTrue(e.getMessage().contains(level.name()), e.getMessage());
      assertTrue(b.toString().contains("privacyLevel=" + level), b.toString());
    }
    assertThrows(IllegalStateException.class, () -> SpacePanda.builder()
        .privacyLevel(PrivacyLevel.DIRECT).privacyLevel(PrivacyLevel.MIXED));
  }
}
