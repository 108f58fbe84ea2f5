package io.spacepanda.internal.net.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.GeneralSecurityException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class ChaChaPolyTest {

  private static ChaChaPoly keyed(ChaChaPoly c, byte[] key) {
    c.setKey(key);
    return c;
  }

  @Test
  void create_usesTheEnvelopesEngineChoice() {
    assertEquals(io.spacepanda.internal.crypto.ChaChaPolyAead.implementation(),
        ChaChaPoly.implementation());
  }

  @Property(tries = 100)
  void jcaAndBouncyCastle_produceTheSameBytes_andOpenEachOther(
      @ForAll @Size(32) byte[] key, @ForAll @Size(max = 2000) byte[] plaintext,
      @ForAll @Size(max = 40) byte[] ad, @ForAll long nonce) throws GeneralSecurityException {
    ChaChaPoly jca = keyed(ChaChaPoly.jca(), key);
    ChaChaPoly bc = keyed(ChaChaPoly.bouncyCastle(), key);
    byte[] a = jca.seal(nonce, ad, plaintext, 0, plaintext.length);
    byte[] b = bc.seal(nonce, ad, plaintext, 0, plaintext.length);
    assertArrayEquals(a, b);
    // the JDK refuses to re-use the key and nonce it was just given, so each side opens afresh
    assertArrayEquals(plaintext,
        keyed(ChaChaPoly.bouncyCastle(), key).open(nonce, ad, a, 0, a.length));
    assertArrayEquals(plaintext, keyed(ChaChaPoly.jca(), key).open(nonce, ad, b, 0, b.length));
  }

  @Property(tries = 50)
  void open_anyBitFlipped_fails(@ForAll @Size(32) byte[] key, @ForAll @Size(max = 300) byte[] pt,
      @ForAll @IntRange(max = 10_000) int bit) {
    byte[] ct = keyed(ChaChaPoly.bouncyCastle(), key).seal(7, new byte[0], pt, 0, pt.length);
    ct[(bit / 8) % ct.length] ^= (byte) (1 << (bit % 8));
    for (ChaChaPoly c : new ChaChaPoly[] {ChaChaPoly.jca(), ChaChaPoly.bouncyCastle()}) {
      c.setKey(key);
      assertThrows(GeneralSecurityException.class, () -> c.open(7, new byte[0], ct, 0, ct.length));
    }
  }
}
