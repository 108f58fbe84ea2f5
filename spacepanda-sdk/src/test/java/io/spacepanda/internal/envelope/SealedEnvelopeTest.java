package io.spacepanda.internal.envelope;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spacepanda.internal.crypto.InboxKey;
import java.security.SecureRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class SealedEnvelopeTest {

  private static final SecureRandom RANDOM = new SecureRandom();

  @Test
  void checkFraming_versionAndBounds() {
    byte[] b = new byte[SealedEnvelope.MIN_LENGTH];
    b[0] = (byte) EnvelopeConstants.VERSION;
    assertDoesNotThrow(() -> SealedEnvelope.checkFraming(b));
    b[0] = 1;
    assertThrows(EnvelopeException.class, () -> SealedEnvelope.checkFraming(b));
    assertThrows(EnvelopeException.class, () -> SealedEnvelope.checkFraming(new byte[] {2, 1}));
    byte[] huge = new byte[EnvelopeConstants.MAX_ENVELOPE_LENGTH + 1];
    huge[0] = (byte) EnvelopeConstants.VERSION;
    assertThrows(EnvelopeException.class, () -> SealedEnvelope.checkFraming(huge));
  }

  @Test
  void groupAndDirect_sameLengthsAndNoKindByte() throws Exception {
    GroupEnvelopeKeys keys = GroupEnvelopeKeys.derive(new byte[32]);
    byte[] inbox = InboxKey.generate(RANDOM).publicKey();
    for (int len : new int[] {0, 1, 100, 500, 3000, 20000}) {
      byte[] payload = new byte[len];
      byte[] group = GroupEnvelope.seal(keys, payload, RANDOM);
      byte[] direct = DirectEnvelope.seal(inbox, payload);
      assertEquals(group.length, direct.length, "payload " + len);
      assertEquals(group[0], direct[0]);
    }
    assertEquals(EnvelopeConstants.GROUP_OVERHEAD, EnvelopeConstants.DIRECT_OVERHEAD);
  }

  @Property
  void checkFraming_randomBytes_returnsOrFailsTyped(@ForAll @Size(max = 100) byte[] bytes) {
    try {
      SealedEnvelope.checkFraming(bytes);
      assertEquals(EnvelopeConstants.VERSION, bytes[0]);
    } catch (EnvelopeException e) {
      assertEquals(EnvelopeException.MESSAGE, e.getMessage());
    }
  }
}
