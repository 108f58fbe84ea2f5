package io.spacepanda.internal.envelope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class SealedEnvelopeTest {

  @Test
  void kindOf_knownKinds() throws Exception {
    byte[] b = new byte[54];
    b[0] = 1;
    b[1] = 1;
    assertEquals(SealedEnvelope.Kind.GROUP, SealedEnvelope.kindOf(b));
    b[1] = 2;
    assertEquals(SealedEnvelope.Kind.DIRECT, SealedEnvelope.kindOf(b));
  }

  @Test
  void kindOf_unknownVersionKindOrLength_fails() {
    byte[] b = new byte[54];
    b[0] = 1;
    b[1] = 3;
    assertThrows(EnvelopeException.class, () -> SealedEnvelope.kindOf(b));
    b[0] = 2;
    b[1] = 1;
    assertThrows(EnvelopeException.class, () -> SealedEnvelope.kindOf(b));
    assertThrows(EnvelopeException.class, () -> SealedEnvelope.kindOf(new byte[] {1, 1}));
    byte[] huge = new byte[EnvelopeConstants.MAX_ENVELOPE_LENGTH + 1];
    huge[0] = 1;
    huge[1] = 1;
    assertThrows(EnvelopeException.class, () -> SealedEnvelope.kindOf(huge));
  }

  @Property
  void kindOf_randomBytes_returnsOrFailsTyped(@ForAll @Size(max = 100) byte[] bytes) {
    try {
      SealedEnvelope.Kind kind = SealedEnvelope.kindOf(bytes);
      assertEquals(bytes[1] == 1 ? SealedEnvelope.Kind.GROUP : SealedEnvelope.Kind.DIRECT, kind);
    } catch (EnvelopeException e) {
      assertEquals(EnvelopeException.MESSAGE, e.getMessage());
    }
  }
}
