package io.spacepanda.internal.net.noise;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.junit.jupiter.api.Test;

/** Known answers from the cacophony vectors (Noise_XX_25519_ChaChaPoly_SHA256). */
class NoiseXXHandshakeTest {

  private static final String PROLOGUE = "4a6f686e2047616c74";
  private static final String INIT_STATIC = "e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1";
  private static final String INIT_EPHEMERAL = "893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a";
  private static final String RESP_STATIC = "4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893";
  private static final String RESP_EPHEMERAL = "bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b";
  private static final String HANDSHAKE_HASH = "c8e5f64e846193be2a834104c2a009868d6c9f3bd3c186299888b488b2f1f58e";
  private static final String[][] MESSAGES = {
    {"4c756477696720766f6e204d69736573",
     "ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c79444c756477696720766f6e204d69736573"},
    {"4d757272617920526f746862617264",
     "95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f14480884381cbad1f276e038c48378ffce2b65285e08d6b68aaa3629a5a8639392490e5b9bd5269c2f1e4f488ed8831161f19b7815528f8982ffe09be9b5c412f8a0db50f8814c7194e83f23dbd8d162c9326ad"},
    {"462e20412e20486179656b",
     "c7195ffacac1307ff99046f219750fc47693e23c3cb08b89c2af808b444850a80ae475b9df0f169ae80a89be0865b57f58c9fea0d4ec82a286427402f113e4b6ae769a1d95941d49b25030"},
    {"4361726c204d656e676572", "96763ed773f8e47bb3712f0e29b3060ffc956ffc146cee53d5e1df"},
    {"4a65616e2d426170746973746520536179",
     "3e40f15f6f3a46ae446b253bf8b1d9ffb6ed9b174d272328ff91a7e2e5c79c07f5"},
    {"457567656e2042f6686d20766f6e2042617765726b",
     "eb3f3515110702e047a6c9da4478b6ead94873c11c0f2d710ddb3f09fce024b3a58502ae3f"},
  };

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s);
  }

  private static X25519PrivateKeyParameters key(String hex) {
    return new X25519PrivateKeyParameters(hex(hex), 0);
  }

  @Test
  void cacophonyVector_handshakeAndTransport_matchKnownAnswers() throws Exception {
    NoiseXXHandshake i = new NoiseXXHandshake(true, hex(PROLOGUE), key(INIT_STATIC), key(INIT_EPHEMERAL));
    NoiseXXHandshake r = new NoiseXXHandshake(false, hex(PROLOGUE), key(RESP_STATIC), key(RESP_EPHEMERAL));
    for (int m = 0; m < 3; m++) {
      NoiseXXHandshake w = m % 2 == 0 ? i : r;
      NoiseXXHandshake rd = m % 2 == 0 ? r : i;
      byte[] ct = w.writeMessage(hex(MESSAGES[m][0]));
      assertArrayEquals(hex(MESSAGES[m][1]), ct, "message " + m);
      assertArrayEquals(hex(MESSAGES[m][0]), rd.readMessage(ct));
    }
    assertArrayEquals(hex(HANDSHAKE_HASH), i.handshakeHash());
    assertArrayEquals(hex(HANDSHAKE_HASH), r.handshakeHash());
    CipherState[] ic = i.split();
    CipherState[] rc = r.split();
    for (int m = 3; m < MESSAGES.length; m++) {
      boolean fromResponder = m % 2 == 1;
      CipherState enc = fromResponder ? rc[1] : ic[0];
      CipherState dec = fromResponder ? ic[1] : rc[0];
      byte[] pt = hex(MESSAGES[m][0]);
      byte[] ct = enc.encryptWithAd(new byte[0], pt, 0, pt.length);
      assertArrayEquals(hex(MESSAGES[m][1]), ct, "message " + m);
      assertArrayEquals(pt, dec.decryptWithAd(new byte[0], ct, 0, ct.length));
    }
  }

  @Test
  void readMessage_tamperedCiphertext_failsDecryption() throws Exception {
    NoiseXXHandshake i = new NoiseXXHandshake(true, new byte[0], key(INIT_STATIC), key(INIT_EPHEMERAL));
    NoiseXXHandshake r = new NoiseXXHandshake(false, new byte[0], key(RESP_STATIC), key(RESP_EPHEMERAL));
    r.readMessage(i.writeMessage(new byte[0]));
    byte[] m2 = r.writeMessage(new byte[] {1, 2, 3});
    m2[40] ^= 1;
    NoiseException e = assertThrows(NoiseException.class, () -> i.readMessage(m2));
    assertEquals(NoiseException.Kind.DECRYPTION_FAILED, e.kind());
  }

  @Property(tries = 300)
  void randomSecondMessage_failsTyped(@ForAll @Size(max = 200) byte[] junk) throws Exception {
    NoiseXXHandshake i = new NoiseXXHandshake(true, new byte[0], key(INIT_STATIC), key(INIT_EPHEMERAL));
    i.writeMessage(new byte[0]);
    assertThrows(NoiseException.class, () -> i.readMessage(junk));
  }
}
