package io.spacepanda.internal.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import javax.crypto.AEADBadTagException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ChaChaPolyAeadTest {

  private static final HexFormat HEX = HexFormat.of();

  private static List<ChaChaPolyAead> engines() {
    return List.of(ChaChaPolyAead.jca(), ChaChaPolyAead.bouncyCastle(), ChaChaPolyAead.forThread());
  }

  /** RFC 8439 §2.8.2: the whole ciphertext and tag, by each implementation. */
  @Test
  void seal_rfc8439Vector() throws Exception {
    byte[] key = HEX.parseHex("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f");
    byte[] nonce = HEX.parseHex("070000004041424344454647");
    byte[] aad = HEX.parseHex("50515253c0c1c2c3c4c5c6c7");
    byte[] plaintext = ("Ladies and Gentlemen of the class of '99: If I could offer you only one"
        + " tip for the future, sunscreen would be it.").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    String expected = "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
        + "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
        + "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
        + "3ff4def08e4b7a9de576d26586cec64b6116"
        + "1ae10b594f09e26a7e902ecbd0600691";
    for (ChaChaPolyAead e : engines()) {
      byte[] out = new byte[plaintext.length + 16];
      assertEquals(out.length,
          e.seal(key, nonce, aad, 0, aad.length, plaintext, 0, plaintext.length, out, 0));
      assertEquals(expected, HEX.formatHex(out), e.getClass().getSimpleName());
      byte[] back = new byte[plaintext.length];
      e.open(key, nonce, aad, 0, aad.length, out, 0, out.length, back, 0);
      assertArrayEquals(plaintext, back);
    }
  }

  @Property(tries = 100)
  void sealOpen_engineAgreeAndRejectTampering(@ForAll @IntRange(min = 0, max = 3000) int length,
      @ForAll long seed) throws Exception {
    Random r = new Random(seed);
    byte[] key = new byte[32];
    byte[] nonce = new byte[12];
    byte[] aad = new byte[r.nextInt(40)];
    byte[] pt = new byte[length];
    r.nextBytes(key);
    r.nextBytes(nonce);
    r.nextBytes(aad);
    r.nextBytes(pt);
    byte[] reference = null;
    for (ChaChaPolyAead e : engines()) {
      byte[] ct = new byte[length + 16];
      e.seal(key, nonce, aad, 0, aad.length, pt, 0, length, ct, 0);
      if (reference == null) {
        reference = ct;
      }
      assertArrayEquals(reference, ct);
      // again with the same key and nonce (a retried copy): must give the same bytes
      byte[] again = new byte[length + 16];
      e.seal(key, nonce, aad, 0, aad.length, pt, 0, length, again, 0);
      assertArrayEquals(ct, again);
      byte[] bad = ct.clone();
      bad[r.nextInt(bad.length)] ^= (byte) (1 << r.nextInt(8));
      byte[] sink = new byte[length];
      assertThrows(AEADBadTagException.class,
          () -> e.open(key, nonce, aad, 0, aad.length, bad, 0, bad.length, sink, 0));
      byte[] back = new byte[length];
      e.open(key, nonce, aad, 0, aad.length, ct, 0, ct.length, back, 0);
      assertArrayEquals(pt, back);
    }
  }

  @Test
  void open_tooShort_throwsTyped() {
    for (ChaChaPolyAead e : engines()) {
      assertThrows(AEADBadTagException.class, () -> e.open(new byte[32], new byte[12], null, 0, 0,
          new byte[10], 0, 10, new byte[0], 0));
    }
  }
}
