package io.spacepanda.internal.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class InboxKeyTest {

  private static final HexFormat HEX = HexFormat.of();

  @Test
  void restore_rfc7748Vector_derivesVectorPublicKey() throws Exception {
    // RFC 7748 §6.1: Alice's private key and public key.
    InboxKey key = InboxKey.restore(SecretBytes.copyOf(
        HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")));
    assertEquals("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", HEX.formatHex(key.publicKey()));
  }

  @Test
  void toString_showsNoPrivateBytes() {
    InboxKey key = InboxKey.generate(new SecureRandom());
    String priv = HEX.formatHex(key.exportPrivate().exportSecret());
    assertFalse(key.toString().contains(priv.substring(0, 8)));
    assertTrue(key.toString().startsWith("InboxKey[pub=" + HEX.formatHex(key.publicKey()).substring(0, 8)));
  }

  @Test
  void restore_wrongLength_fails() {
    assertThrows(KeyFormatException.class, () -> InboxKey.restore(SecretBytes.copyOf(new byte[31])));
    assertThrows(KeyFormatException.class, () -> InboxKey.restore(SecretBytes.copyOf(new byte[33])));
  }

  @Property(tries = 200)
  void exportPrivate_restore_roundTrips(@ForAll @Size(32) byte[] raw) throws Exception {
    InboxKey key = InboxKey.restore(SecretBytes.copyOf(raw));
    InboxKey restored = InboxKey.restore(key.exportPrivate());
    assertArrayEquals(key.publicKey(), restored.publicKey());
    assertEquals(key.exportPrivate(), restored.exportPrivate());
  }

  @Property
  void restore_randomBytes_failsTyped(@ForAll @Size(max = 64) byte[] bytes) {
    try {
      assertEquals(32, InboxKey.restore(SecretBytes.copyOf(bytes)).publicKey().length);
    } catch (KeyFormatException expected) {
      // the only allowed failure
    }
  }
}
