package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
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

  @Test
  void coverProfileAndKeyRotation_shown_ranged_setOnce() {
    for (CoverProfile p : CoverProfile.values()) {
      SpacePanda.Builder b = SpacePanda.builder().storage(Storages.inMemory()).p2p(false)
          .privacyLevel(PrivacyLevel.MIXED_WITH_COVER).coverProfile(p)
          .mixKeyRotation(Duration.ofMinutes(30));
      b.build().close();
      assertTrue(b.toString().contains("coverProfile=" + p), b.toString());
      assertTrue(b.toString().contains("mixKeyRotation=PT30M"), b.toString());
    }
    assertThrows(IllegalArgumentException.class,
        () -> SpacePanda.builder().mixKeyRotation(Duration.ofSeconds(9)));
    assertThrows(IllegalArgumentException.class,
        () -> SpacePanda.builder().mixKeyRotation(Duration.ofDays(7)));
    assertThrows(IllegalStateException.class, () -> SpacePanda.builder()
        .mixKeyRotation(Duration.ofHours(1)).mixKeyRotation(Duration.ofHours(2)));
    assertThrows(IllegalStateException.class, () -> SpacePanda.builder()
        .coverProfile(CoverProfile.STANDARD).coverProfile(CoverProfile.LOW_POWER));
  }
}
