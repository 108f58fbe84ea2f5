package io.spacepanda.internal.mls.group;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spacepanda.internal.mls.MlsValidationException;
import io.spacepanda.internal.mls.codec.TlsWriter;
import io.spacepanda.internal.mls.message.Extension;
import io.spacepanda.internal.mls.message.Lifetime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeafValidatorTest {

  private static final long NOW = 1_800_000_000L;

  private static LeafValidator validator(List<Extension> groupExtensions) {
    return new LeafValidator(GroupFixtures.SUITE, new byte[] {1}, groupExtensions, Map.of(),
        Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC), Duration.ofMinutes(10));
  }

  @Test
  void lifetime_acceptsWithinSkew_rejectsOutside() {
    LeafValidator v = validator(List.of());
    assertDoesNotThrow(() -> v.checkLifetime(new Lifetime(NOW + 599, NOW + 3600)));
    assertDoesNotThrow(() -> v.checkLifetime(new Lifetime(NOW - 3600, NOW - 599)));
    assertThrows(MlsValidationException.class,
        () -> v.checkLifetime(new Lifetime(NOW + 601, NOW + 3600)));
    assertThrows(MlsValidationException.class,
        () -> v.checkLifetime(new Lifetime(NOW - 3600, NOW - 601)));
  }

  @Test
  void lifetime_treatsValuesAsUnsigned() {
    LeafValidator v = validator(List.of());
    assertDoesNotThrow(() -> v.checkLifetime(new Lifetime(0, -1L)));
    assertThrows(MlsValidationException.class, () -> v.checkLifetime(new Lifetime(-1L, -1L)));
  }

  @Test
  void requiredCapabilities_missingCredentialOrExtension_isRejected() {
    TlsWriter w = new TlsWriter();
    // RFC 9420 §11.1 RequiredCapabilities: extension_types, proposal_types, credential_types
    w.vector(v -> v.u16(0x0A0A)).vector(v -> { }).vector(v -> v.u16(1));
    List<Extension> ext = List.of(new Extension(Extension.REQUIRED_CAPABILITIES,
        w.toByteArray()));
    assertThrows(MlsValidationException.class,
        () -> LeafValidator.checkRequiredCapabilities(GroupSupport.capabilities(), ext));
    TlsWriter ok = new TlsWriter();
    ok.vector(v -> v.u16(Extension.EXTERNAL_SENDERS)).vector(v -> { }).vector(v -> v.u16(1));
    assertDoesNotThrow(() -> LeafValidator.checkRequiredCapabilities(GroupSupport.capabilities(),
        List.of(new Extension(Extension.REQUIRED_CAPABILITIES, ok.toByteArray()))));
  }

  @Test
  void malformedRequiredCapabilities_isRejected() {
    List<Extension> ext = List.of(new Extension(Extension.REQUIRED_CAPABILITIES,
        new byte[] {5, 0}));
    assertThrows(MlsValidationException.class,
        () -> LeafValidator.checkRequiredCapabilities(GroupSupport.capabilities(), ext));
  }
}
