package io.spacepanda.internal.mls.message;

import static io.spacepanda.internal.mls.message.WireFixtures.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class GroupSecretsTest {

  @Test
  void toString_showsNoSecretBytes() {
    GroupSecrets gs = new GroupSecrets(hex("5ec7e75ec7e7"), hex("a7a7a7a7"), List.of());
    String s = gs.toString() + new PathSecret(hex("a7a7a7a7"));
    assertFalse(s.toLowerCase().contains("5ec7e7"), s);
    assertFalse(s.toLowerCase().contains("a7a7"), s);
    assertFalse(s.contains("[94"), s);
  }

  @Test
  void encode_absentPathSecret_isPresenceByteZero() throws MlsDecodeException {
    GroupSecrets gs = new GroupSecrets(hex("01"), null, List.of());
    assertArrayEquals(hex("01010000"), gs.toBytes());
    assertNull(TlsReader.decodeExactly(gs.toBytes(), GroupSecrets::decode).pathSecret());
    assertArrayEquals(hex("0101010102" + "00"),
        new GroupSecrets(hex("01"), hex("02"), List.of()).toBytes());
  }
}
