package io.spacepanda.internal.mls.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class MlsConfigTest {

  @Test
  void defaults_areTheDocumentedOnes() {
    MlsConfig c = MlsConfig.defaults();
    assertEquals(1000, c.maxForwardGenerationJump());
    assertEquals(2, c.pastEpochsRetained());
    assertEquals(256, c.maxSkippedKeysPerSender());
    assertEquals(Duration.ofDays(28), c.keyPackageLifetime());
    assertEquals(Duration.ofHours(1), c.clockSkew());
    assertEquals(32, c.paddingBlockSize());
    assertEquals(16, c.resumptionSecretsRetained());
    assertEquals(1000, c.maxCachedProposals());
    assertEquals(false, c.allowNewMemberSenders());
  }

  @Test
  void outOfRangeValue_failsNamingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MlsConfig.builder().maxForwardGenerationJump(0));
    assertTrue(e.getMessage().contains("maxForwardGenerationJump"));
    assertThrows(IllegalArgumentException.class, () -> MlsConfig.builder().pastEpochsRetained(-1));
    assertThrows(IllegalArgumentException.class,
        () -> MlsConfig.builder().keyPackageLifetime(Duration.ZERO));
    assertThrows(IllegalArgumentException.class,
        () -> MlsConfig.builder().clockSkew(Duration.ofDays(2)));
    assertThrows(IllegalArgumentException.class,
        () -> MlsConfig.builder().paddingBlockSize(1 << 20));
  }

  @Test
  void optionSetTwice_failsWithIllegalState() {
    MlsConfig.Builder b = MlsConfig.builder().pastEpochsRetained(3);
    assertThrows(IllegalStateException.class, () -> b.pastEpochsRetained(4));
  }

  @Test
  void lifetimeNotLongerThanTwiceSkew_failsAtBuild() {
    MlsConfig.Builder b = MlsConfig.builder().keyPackageLifetime(Duration.ofMinutes(90))
        .clockSkew(Duration.ofHours(1));
    assertThrows(IllegalArgumentException.class, b::build);
  }

  @Test
  void builder_toStringShowsOnlySetOptions() {
    assertEquals("MlsConfig.Builder[paddingBlockSize]",
        MlsConfig.builder().paddingBlockSize(0).toString());
  }
}
