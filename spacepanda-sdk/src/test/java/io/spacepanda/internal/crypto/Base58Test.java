package io.spacepanda.internal.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class Base58Test {

  @Test
  void encode_knownVectors() {
    // draft-msporny-base58 §5 examples.
    assertEquals("2NEpo7TZRRrLZSi2U", Base58.encode("Hello World!".getBytes(StandardCharsets.US_ASCII)));
    assertEquals("11233QC4", Base58.encode(HexFormat.of().parseHex("0000287fb4cd")));
    assertEquals("", Base58.encode(new byte[0]));
    assertEquals("1", Base58.encode(new byte[1]));
  }

  @Test
  void decode_knownVectors() {
    assertArrayEquals(HexFormat.of().parseHex("0000287fb4cd"), Base58.decode("11233QC4"));
    assertArrayEquals(new byte[0], Base58.decode(""));
  }

  @Test
  void decode_charactersOutsideAlphabet_fail() {
    for (String s : new String[] {"0", "O", "I", "l", "+", "é", " 1"}) {
      assertThrows(IllegalArgumentException.class, () -> Base58.decode(s), s);
    }
  }

  @Test
  void decode_tooLong_fails() {
    assertThrows(IllegalArgumentException.class, () -> Base58.decode("2".repeat(Base58.MAX_ENCODED_LENGTH + 1)));
  }

  @Property
  void roundTrip(@ForAll @Size(max = 100) byte[] bytes) {
    assertArrayEquals(bytes, Base58.decode(Base58.encode(bytes)));
  }

  @Property
  void decode_randomText_returnsOrFailsWithIllegalArgument(@ForAll @StringLength(max = 120) String text) {
    try {
      assertEquals(text, Base58.encode(Base58.decode(text)));
    } catch (IllegalArgumentException expected) {
      // the only allowed failure
    }
  }
}
