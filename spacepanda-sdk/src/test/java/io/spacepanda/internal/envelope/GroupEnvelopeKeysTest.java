package io.spacepanda.internal.envelope;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
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

  /**
   * Recomputes both keys from the labels documented on {@link GroupEnvelopeKeys} with the JCA's
   * HMAC (RFC 5869 by hand), and checks the tag and message key against them.
   */
  @Property(tries = 100)
  void derivation_matchesDocumentedLabels(
      @ForAll @Size(min = 16, max = 64) byte[] secret, @ForAll @Size(16) byte[] nonce) throws Exception {
    byte[] salt = "spacepanda/envelope/group/v1".getBytes(StandardCharsets.US_ASCII);
    byte[] prk = hmac(salt, secret);
    byte[] aeadKey = hmac(prk, concat("spacepanda/envelope/group/v1 aead key", (byte) 1));
    byte[] tagKey = hmac(prk, concat("spacepanda/envelope/group/v1 tag key", (byte) 1));
    GroupEnvelopeKeys keys = GroupEnvelopeKeys.derive(secret);
    assertEquals(HexFormat.of().formatHex(Arrays.copyOf(hmac(tagKey, nonce), 16)),
        HexFormat.of().formatHex(keys.tag(nonce, 0, 16, 16)));
    assertEquals(HexFormat.of().formatHex(hmac(aeadKey, nonce)), HexFormat.of().formatHex(keys.messageKey(nonce)));
  }

  private static byte[] hmac(byte[] key, byte[] data) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(data);
  }

  private static byte[] concat(String label, byte counter) {
    byte[] l = label.getBytes(StandardCharsets.US_ASCII);
    byte[] out = Arrays.copyOf(l, l.length + 1);
    out[l.length] = counter;
    return out;
  }
}
