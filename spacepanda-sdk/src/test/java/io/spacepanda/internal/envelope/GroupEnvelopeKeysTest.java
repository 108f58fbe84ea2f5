package io.spacepanda.internal.envelope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class GroupEnvelopeKeysTest {

  @Test
  void derive_sameSecret_equalKeys() {
    byte[] secret = new byte[32];
    secret[0] = 1;
    assertEquals(GroupEnvelopeKeys.derive(secret), GroupEnvelopeKeys.derive(secret.clone()));
    secret[0] = 2;
    assertNotEquals(GroupEnvelopeKeys.derive(new byte[32]), GroupEnvelopeKeys.derive(secret));
  }

  @Test
  void derive_secretLengthOutOfRange_failsNamingLength() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> GroupEnvelopeKeys.derive(new byte[15]));
    assertEquals("exporter secret length 15 is not in 16..64", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> GroupEnvelopeKeys.derive(new byte[65]));
  }

  @Test
  void toString_revealsNoKeyMaterial() {
    byte[] secret = new byte[32];
    GroupEnvelopeKeys keys = GroupEnvelopeKeys.derive(secret);
    assertEquals("GroupEnvelopeKeys[redacted]", keys.toString());
    assertFalse(keys.toString().contains(HexFormat.of().formatHex(keys.messageKey(new byte[16])).substring(0, 8)));
  }

  @Test
  void tagKeyAndAeadKey_areIndependent() {
    GroupEnvelopeKeys keys = GroupEnvelopeKeys.derive(new byte[32]);
    byte[] nonce = new byte[16];
    assertNotEquals(
        HexFormat.of().formatHex(keys.messageKey(nonce)).substring(0, 32),
        HexFormat.of().formatHex(keys.tag(nonce, 0, 16, 16)));
  }
}
