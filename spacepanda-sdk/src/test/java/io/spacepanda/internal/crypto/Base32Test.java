package io.spacepanda.internal.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class Base32Test {

  @Test
  void encode_rfc4648Vectors_lowerCaseWithoutPadding() {
    // RFC 4648 §10.
    String[][] vectors = {
      {"", ""}, {"f", "my"}, {"fo", "mzxq"}, {"foo", "mzxw6"}, {"foob", "mzxw6yq"},
      {"fooba", "mzxw6ytb"}, {"foobar", "mzxw6ytboi"},
    };
    for (String[] v : vectors) {
      byte[] raw = v[0].getBytes(StandardCharsets.US_ASCII);
      assertEquals(v[1], Base32.encode(raw));
      assertArrayEquals(raw, Base32.decode(v[1]));
    }
  }

  @Test
  void decode_nonCanonicalText_fails() {
    for (String s : new String[] {"MY", "my======", "mz", "m", "mzx", "mzxw6y", "m1", "mzxw6ytbp"}) {
      assertThrows(IllegalArgumentException.class, () -> Base32.decode(s), s);
    }
  }

  @Property
  void roundTrip(@ForAll @Size(max = 100) byte[] bytes) {
    assertArrayEquals(bytes, Base32.decode(Base32.encode(bytes)));
  }

  @Property
  void decode_randomText_returnsOrFailsWithIllegalArgument(@ForAll @StringLength(max = 120) String text) {
    try {
      assertEquals(text, Base32.encode(Base32.decode(text)));
    } catch (IllegalArgumentException expected) {
      // the only allowed failure
    }
  }
}
