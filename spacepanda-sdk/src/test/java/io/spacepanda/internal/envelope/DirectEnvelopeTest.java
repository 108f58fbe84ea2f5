package io.spacepanda.internal.envelope;

import static io.spacepanda.internal.envelope.EnvelopeFixtures.RANDOM;
import static io.spacepanda.internal.envelope.EnvelopeFixtures.concat;
import static io.spacepanda.internal.envelope.EnvelopeFixtures.indexOf;
import static io.spacepanda.internal.envelope.EnvelopeFixtures.randomBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.hybrid.HpkeParameters;
import com.google.crypto.tink.hybrid.HpkePrivateKey;
import com.google.crypto.tink.hybrid.HpkePublicKey;
import com.google.crypto.tink.hybrid.internal.HpkeDecrypt;
import com.google.crypto.tink.hybrid.internal.HpkeEncrypt;
import com.google.crypto.tink.util.Bytes;
import com.google.crypto.tink.util.SecretBytes;
import io.spacepanda.internal.crypto.IdentityKey;
import io.spacepanda.internal.crypto.InboxKey;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class DirectEnvelopeTest {

  private static final InboxKey INBOX = InboxKey.generate(RANDOM);

  /** What {@code DirectEnvelope} sealed with first (then BouncyCastle's HPKE, now {@code DirectHpke}). */
  private static final HpkeParameters TINK_PARAMETERS = tinkParameters();

  private static HpkeParameters tinkParameters() {
    try {
      return HpkeParameters.builder()
          .setKemId(HpkeParameters.KemId.DHKEM_X25519_HKDF_SHA256)
          .setKdfId(HpkeParameters.KdfId.HKDF_SHA256)
          .setAeadId(HpkeParameters.AeadId.CHACHA20_POLY1305)
          .setVariant(HpkeParameters.Variant.NO_PREFIX)
          .build();
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] info() {
    byte[] info = Arrays.copyOf(EnvelopeConstants.DIRECT_HPKE_INFO,
        EnvelopeConstants.DIRECT_HPKE_INFO.length + 1);
    info[info.length - 1] = (byte) EnvelopeConstants.VERSION;
    return info;
  }

  @Test
  void open_envelopeSealedByTinkHpke_opens() throws Exception {
    byte[] payload = randomBytes(200);
    byte[] padded = Padding.defaults().pad(payload, EnvelopeConstants.DIRECT_OVERHEAD);
    HpkePublicKey pk = HpkePublicKey.create(TINK_PARAMETERS, Bytes.copyFrom(INBOX.publicKey()), null);
    byte[] sealed = HpkeEncrypt.create(pk).encrypt(padded, info());
    sealed[31] |= (byte) 0x80; // the random top bit of enc, set
    byte[] envelope = concat(new byte[] {(byte) EnvelopeConstants.VERSION}, sealed);
    assertArrayEquals(payload, DirectEnvelope.open(INBOX, envelope));
  }

  @Test
  void seal_opensWithTinkHpke() throws Exception {
    byte[] payload = randomBytes(200);
    byte[] envelope = DirectEnvelope.seal(INBOX.publicKey(), payload);
    HpkePublicKey pk = HpkePublicKey.create(TINK_PARAMETERS, Bytes.copyFrom(INBOX.publicKey()), null);
    byte[] raw = INBOX.exportPrivate().exportSecret();
    HpkePrivateKey sk = HpkePrivateKey.create(pk, SecretBytes.copyFrom(raw, InsecureSecretKeyAccess.get()));
    byte[] sealed = Arrays.copyOfRange(envelope, 1, envelope.length);
    sealed[31] &= 0x7f;
    byte[] padded = HpkeDecrypt.create(sk).decrypt(sealed, info());
    assertArrayEquals(payload, Padding.unpad(padded));
  }

  @Test
  void open_envelopeSealedByBouncyCastleHpke_opens() throws Exception {
    org.bouncycastle.crypto.hpke.HPKE bc = bouncyCastleHpke();
    for (int size : new int[] {0, 200, 5000}) {
      byte[] payload = randomBytes(size);
      byte[] padded = Padding.defaults().pad(payload, EnvelopeConstants.DIRECT_OVERHEAD);
      org.bouncycastle.crypto.hpke.HPKEContextWithEncapsulation ctx =
          bc.setupBaseS(bc.deserializePublicKey(INBOX.publicKey()), info());
      byte[] envelope = concat(new byte[] {(byte) EnvelopeConstants.VERSION},
          concat(ctx.getEncapsulation(), ctx.seal(new byte[0], padded)));
      assertArrayEquals(payload, DirectEnvelope.open(INBOX, envelope));
    }
  }

  @Test
  void seal_opensWithBouncyCastleHpke() throws Exception {
    org.bouncycastle.crypto.hpke.HPKE bc = bouncyCastleHpke();
    for (int size : new int[] {0, 200, 5000}) {
      byte[] payload = randomBytes(size);
      byte[] envelope = DirectEnvelope.seal(INBOX.publicKey(), payload);
      byte[] enc = Arrays.copyOfRange(envelope, 1, 33);
      enc[31] &= 0x7f;
      byte[] raw = INBOX.exportPrivate().exportSecret();
      byte[] padded = bc.open(enc, bc.deserializePrivateKey(raw, INBOX.publicKey()), info(),
          new byte[0], Arrays.copyOfRange(envelope, 33, envelope.length), null, null, null);
      assertArrayEquals(payload, Padding.unpad(padded));
    }
  }

  private static org.bouncycastle.crypto.hpke.HPKE bouncyCastleHpke() {
    return new org.bouncycastle.crypto.hpke.HPKE(org.bouncycastle.crypto.hpke.HPKE.mode_base,
        org.bouncycastle.crypto.hpke.HPKE.kem_X25519_SHA256,
        org.bouncycastle.crypto.hpke.HPKE.kdf_HKDF_SHA256,
        org.bouncycastle.crypto.hpke.HPKE.aead_CHACHA20_POLY1305);
  }

  @Test
  void seal_smallOrderInboxKey_fails() {
    assertThrows(IllegalArgumentException.class,
        () -> DirectEnvelope.seal(new byte[32], randomBytes(10)));
  }

  @Test
  void sealOpen_roundTripsInSmallestBucket() throws Exception {
    byte[] payload = randomBytes(200);
    byte[] envelope = DirectEnvelope.seal(INBOX.publicKey(), payload);
    assertEquals(256, envelope.length);
    SealedEnvelope.checkFraming(envelope);
    assertArrayEquals(payload, DirectEnvelope.open(INBOX, envelope));
  }

  @Test
  void open_restoredInboxKey_opens() throws Exception {
    byte[] envelope = DirectEnvelope.seal(INBOX.publicKey(), new byte[] {1, 2, 3});
    InboxKey restored = InboxKey.restore(INBOX.exportPrivate());
    assertArrayEquals(new byte[] {1, 2, 3}, DirectEnvelope.open(restored, envelope));
  }

  @Test
  void open_otherInbox_failsWithFixedMessage() throws Exception {
    byte[] envelope = DirectEnvelope.seal(INBOX.publicKey(), new byte[10]);
    EnvelopeException e = assertThrows(EnvelopeException.class,
        () -> DirectEnvelope.open(InboxKey.generate(RANDOM), envelope));
    assertEquals("envelope rejected", e.getMessage());
  }

  @Test
  void seal_badInboxKey_failsNamingLength() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DirectEnvelope.seal(new byte[31], new byte[1]));
    assertTrue(e.getMessage().contains("31"));
  }

  @Test
  void seal_payloadBeyondLargestBucket_failsTyped() {
    assertThrows(EnvelopeTooLargeException.class,
        () -> DirectEnvelope.seal(INBOX.publicKey(), new byte[65536 - 52]));
  }

  @Test
  void seal_customPadding_usesItsBuckets() throws Exception {
    byte[] envelope = DirectEnvelope.seal(INBOX.publicKey(), new byte[300], Padding.of(List.of(128, 512)));
    assertEquals(512, envelope.length);
  }

  @Test
  void open_everyTruncationAndReSize_fails() throws Exception {
    byte[] envelope = DirectEnvelope.seal(INBOX.publicKey(), randomBytes(60));
    for (int n = 0; n < envelope.length; n += 3) {
      byte[] cut = Arrays.copyOf(envelope, n);
      assertThrows(EnvelopeException.class, () -> DirectEnvelope.open(INBOX, cut), "length " + n);
    }
    byte[] rePadded = Arrays.copyOf(envelope, 1024);
    assertThrows(EnvelopeException.class, () -> DirectEnvelope.open(INBOX, rePadded));
  }

  @Test
  void open_everySingleBitFlip_fails() throws Exception {
    byte[] envelope = DirectEnvelope.seal(INBOX.publicKey(), randomBytes(60));
    for (int bit = 0; bit < envelope.length * 8; bit += 5) {
      byte[] flipped = envelope.clone();
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      assertThrows(EnvelopeException.class, () -> DirectEnvelope.open(INBOX, flipped), "bit " + bit);
    }
  }

  @Test
  void open_groupEnvelope_fails() throws Exception {
    byte[] group = GroupEnvelope.seal(EnvelopeFixtures.newKeys(), new byte[4], RANDOM);
    assertThrows(EnvelopeException.class, () -> DirectEnvelope.open(INBOX, group));
  }

  @Test
  void sealedBytes_containNoSenderIdentityOrLength() throws Exception {
    IdentityKey sender = IdentityKey.generate(RANDOM);
    byte[] body = "join request".getBytes(StandardCharsets.UTF_8);
    byte[] payload = concat(sender.peerId().bytes(), sender.publicKey(), body);
    byte[] envelope = DirectEnvelope.seal(INBOX.publicKey(), payload);
    assertEquals(-1, indexOf(envelope, sender.peerId().bytes()));
    assertEquals(-1, indexOf(envelope, sender.publicKey()));
    assertEquals(-1, indexOf(envelope, body));
    assertEquals(-1, indexOf(envelope, INBOX.publicKey()));
    assertTrue(Padding.DEFAULT_BUCKETS.contains(envelope.length));
  }

  @Property(tries = 100)
  void envelopeSizes_areOnlyBucketSizes(@ForAll @IntRange(max = 65536 - 53) int length) throws Exception {
    byte[] envelope = DirectEnvelope.seal(INBOX.publicKey(), new byte[length]);
    assertTrue(Padding.DEFAULT_BUCKETS.contains(envelope.length), "length " + envelope.length);
  }

  @Property(tries = 100)
  void sealOpen_roundTrips(@ForAll @Size(max = 3000) byte[] payload) throws Exception {
    assertArrayEquals(payload, DirectEnvelope.open(INBOX, DirectEnvelope.seal(INBOX.publicKey(), payload)));
  }

  @Property(tries = 300)
  void open_randomBytes_failsTyped(@ForAll @Size(max = 400) byte[] bytes, @ForAll boolean directPrefix) {
    if (directPrefix && bytes.length >= 1) {
      bytes[0] = (byte) EnvelopeConstants.VERSION;
    }
    EnvelopeException e = assertThrows(EnvelopeException.class, () -> DirectEnvelope.open(INBOX, bytes));
    assertEquals(EnvelopeException.MESSAGE, e.getMessage());
  }

  @Property(tries = 200)
  void open_mutatedEnvelope_failsTyped(
      @ForAll @Size(max = 300) byte[] payload, @ForAll int position, @ForAll byte xor) throws Exception {
    byte[] envelope = DirectEnvelope.seal(INBOX.publicKey(), payload);
    int at = Math.floorMod(position, envelope.length);
    byte flip = (byte) (xor == 0 ? 1 : xor);
    if (at == EnvelopeConstants.DIRECT_ENC_LENGTH && flip == (byte) 0x80) {
      flip = 0x40; // the top bit of enc carries no information (see sealOpen_topBitOfEnc_isNoise)
    }
    envelope[at] ^= flip;
    assertThrows(EnvelopeException.class, () -> DirectEnvelope.open(INBOX, envelope));
  }

  @Test
  void sealOpen_topBitOfEnc_isNoiseAndCanonicalClearsIt() throws Exception {
    int set = 0;
    for (int i = 0; i < 64; i++) {
      byte[] envelope = DirectEnvelope.seal(INBOX.publicKey(), new byte[] {7});
      set += (envelope[EnvelopeConstants.DIRECT_ENC_LENGTH] & 0x80) != 0 ? 1 : 0;
      byte[] flipped = envelope.clone();
      flipped[EnvelopeConstants.DIRECT_ENC_LENGTH] ^= (byte) 0x80;
      assertArrayEquals(new byte[] {7}, DirectEnvelope.open(INBOX, flipped));
      assertArrayEquals(DirectEnvelope.canonical(envelope), DirectEnvelope.canonical(flipped));
    }
    // 64 fair coins: all equal has probability 2^-63
    assertTrue(set > 0 && set < 64, "top bit set in " + set + " of 64");
  }
}
