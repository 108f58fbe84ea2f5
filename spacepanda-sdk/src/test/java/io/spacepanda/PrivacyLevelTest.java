package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The builder's privacy level and mix options: every level builds; options are set once. */
class PrivacyLevelTest {

  @Test
  void everyLevelBuilds_optionsShown_setTwiceFails() {
    for (PrivacyLevel level : PrivacyLevel.values()) {
      SpacePanda.Builder b = SpacePanda.builder().storage(Storages.inMemory()).p2p(false)
          .privacyLevel(level).mix(true).mixNodes(List.of());
      SpacePanda node = b.build();
      node.close();
      assertTrue(b.toString().contains("privacyLevel=" + level), b.toString());
      assertTrue(b.toString().contains("mix=true"), b.toString());
    }
    assertThrows(IllegalStateException.class, () -> SpacePanda.builder()
        .privacyLevel(PrivacyLevel.DIRECT).privacyLevel(PrivacyLevel.MIXED));
    assertThrows(IllegalStateException.class, () -> SpacePanda.builder().mix(true).mix(false));
    assertThrows(IllegalStateException.class, () -> SpacePanda.builder().mixNodes(List.of())
        .mixNodes(List.of()));
  }
}
