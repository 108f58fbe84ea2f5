package io.spacepanda.internal.envelope;

import static io.spacepanda.internal.envelope.EnvelopeFixtures.RANDOM;
import static io.spacepanda.internal.envelope.EnvelopeFixtures.concat;
import static io.spacepanda.internal.envelope.EnvelopeFixtures.indexOf;
import static io.spacepanda.internal.envelope.EnvelopeFixtures.newKeys;
import static io.spacepanda.internal.envelope.EnvelopeFixtures.randomBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.PeerId;
import io.spacepanda.internal.crypto.IdentityKey;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class GroupEnvelopeTest {

  @Test
  void sealOpen_200BytePayload_roundTripsInSmallestBucket() throws Exception {
    GroupEnvelopeKeys keys = newKeys();
    byte[] payload = randomBytes(200);
    byte[] envelope = GroupEnvelope.seal(keys, payload, RANDOM);
    assertEquals(256, envelope.length);
    SealedEnvelope.checkFraming(envelope);
    assertArrayEquals(payload, GroupEnvelope.open(keys, envelope));
  }

  @Test
  void sealOpen_emptyAndLargestPayloads_roundTrip() throws Exception {
    GroupEnvelopeKeys keys = newKeys();
    assertArrayEquals(new byte[0], GroupEnvelope.open(keys, GroupEnvelope.seal(keys, new byte[0], RANDOM)));
    byte[] largest = randomBytes(65536 - 53);
    byte[] envelope = GroupEnvelope.seal(keys, largest, RANDOM);
    assertEquals(65536, envelope.length);
    assertArrayEquals(largest, GroupEnvelope.open(keys, envelope));
  }

  @Test
  void seal_payloadBeyondLargestBucket_failsTyped() {
    assertThrows(EnvelopeTooLargeException.class,
        () -> GroupEnvelope.seal(newKeys(), new byte[65536 - 52], RANDOM));
  }

  @Test
  void seal_customPadding_usesItsBuckets() throws Exception {
    GroupEnvelopeKeys keys = newKeys();
    Padding padding = Padding.of(List.of(512, 2048));
    byte[] envelope = GroupEnvelope.seal(keys, new byte[600], padding, RANDOM);
    assertEquals(2048, envelope.length);
    assertEquals(600, GroupEnvelope.open(keys, envelope).length);
  }

  @Test
  void open_wrongKeys_failsWithFixedMessage() throws Exception {
    byte[] envelope = GroupEnvelope.seal(newKeys(), randomBytes(10), RANDOM);
    EnvelopeException e = assertThrows(EnvelopeException.class, () -> GroupEnvelope.open(newKeys(), envelope));
    assertEquals("envelope rejected", e.getMessage());
    assertFalse(GroupEnvelope.matches(newKeys(), envelope));
  }

  @Test
  void open_everyTruncation_fails() throws Exception {
    GroupEnvelopeKeys keys = newKeys();
    byte[] envelope = GroupEnvelope.seal(keys, randomBytes(100), RANDOM);
    for (int n = 0; n < envelope.length; n++) {
      byte[] cut = Arrays.copyOf(envelope, n);
      assertThrows(EnvelopeException.class, () -> GroupEnvelope.open(keys, cut), "length " + n);
    }
  }

  @Test
  void open_everySingleBitFlip_fails() throws Exception {
    GroupEnvelopeKeys keys = newKeys();
    byte[] envelope = GroupEnvelope.seal(keys, randomBytes(100), RANDOM);
    for (int bit = 0; bit < envelope.length * 8; bit++) {
      byte[] flipped = envelope.clone();
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      assertThrows(EnvelopeException.class, () -> GroupEnvelope.open(keys, flipped), "bit " + bit);
    }
  }

  @Test
  void open_rePaddedEnvelope_fails() throws Exception {
    GroupEnvelopeKeys keys = newKeys();
    byte[] envelope = GroupEnvelope.seal(keys, randomBytes(100), RANDOM);
    byte[] toNextBucket = Arrays.copyOf(envelope, 1024);
    assertThrows(EnvelopeException.class, () -> GroupEnvelope.open(keys, toNextBucket));
    byte[] oneMore = Arrays.copyOf(envelope, envelope.length + 1);
    assertThrows(EnvelopeException.class, () -> GroupEnvelope.open(keys, oneMore));
    byte[] shrunk = Arrays.copyOf(envelope, 128);
    assertThrows(EnvelopeException.class, () -> GroupEnvelope.open(keys, shrunk));
  }

  @Test
  void open_directEnvelopeOrOtherVersion_fails() throws Exception {
    GroupEnvelopeKeys keys = newKeys();
    byte[] envelope = GroupEnvelope.seal(keys, randomBytes(100), RANDOM);
    byte[] direct = DirectEnvelope.seal(
        io.spacepanda.internal.crypto.InboxKey.generate(RANDOM).publicKey(), randomBytes(100));
    assertEquals(envelope.length, direct.length);
    assertThrows(EnvelopeException.class, () -> GroupEnvelope.open(keys, direct));
    byte[] v1 = envelope.clone();
    v1[0] = 1;
    assertThrows(EnvelopeException.class, () -> GroupEnvelope.open(keys, v1));
  }

  @Test
  void reseal_freshBytesSamePlaintextSameLength() throws Exception {
    GroupEnvelopeKeys keys = newKeys();
    byte[] payload = randomBytes(300);
    byte[] a = GroupEnvelope.seal(keys, payload, RANDOM);
    byte[] b = GroupEnvelope.reseal(keys, a, RANDOM);
    assertEquals(a.length, b.length);
    assertEquals(a[0], b[0]);
    int same = 0;
    for (int i = 1; i < a.length; i++) {
      same += a[i] == b[i] ? 1 : 0;
    }
    // random bytes agree at 1/256 of positions; a shared run would be far above this
    assertTrue(same < a.length / 32, same + " equal bytes of " + a.length);
    assertArrayEquals(payload, GroupEnvelope.open(keys, b));
    assertThrows(EnvelopeException.class, () -> GroupEnvelope.reseal(newKeys(), a, RANDOM));
  }

  @Test
  void open_oversizedEnvelope_failsWithoutReadingIt() {
    byte[] huge = new byte[EnvelopeConstants.MAX_ENVELOPE_LENGTH + 1];
    huge[0] = (byte) EnvelopeConstants.VERSION;
    assertThrows(EnvelopeException.class, () -> GroupEnvelope.open(newKeys(), huge));
  }

  @Test
  void seal_samePayloadTwice_sharesNoHeaderBytes() throws Exception {
    GroupEnvelopeKeys keys = newKeys();
    byte[] payload = randomBytes(50);
    byte[] a = GroupEnvelope.seal(keys, payload, RANDOM);
    byte[] b = GroupEnvelope.seal(keys, payload, RANDOM);
    assertEquals(a.length, b.length);
    int equalBytes = 0;
    for (int i = 2; i < a.length; i++) {
      equalBytes += a[i] == b[i] ? 1 : 0;
    }
    // Unrelated random bytes agree in about 1 of 256 positions.
    assertTrue(equalBytes < 16, "equal bytes: " + equalBytes);
  }

  @Test
  void sealedBytes_containNoSenderGroupIdEpochOrLength() throws Exception {
    IdentityKey sender = IdentityKey.generate(RANDOM);
    PeerId senderId = sender.peerId();
    byte[] groupId = randomBytes(32);
    long epoch = 7;
    byte[] epochBytes = ByteBuffer.allocate(8).putLong(epoch).array();
    byte[] body = "hello, channel".getBytes(StandardCharsets.UTF_8);
    // An MLS-message-like plaintext that names all three, as an MLS PrivateMessage header does.
    byte[] plaintext = concat(groupId, epochBytes, senderId.bytes(), sender.publicKey(), body);
    GroupEnvelopeKeys keys = newKeys();

    byte[] envelope = GroupEnvelope.seal(keys, plaintext, RANDOM);

    assertEquals(-1, indexOf(envelope, senderId.bytes()));
    assertEquals(-1, indexOf(envelope, sender.publicKey()));
    assertEquals(-1, indexOf(envelope, senderId.toBase58().getBytes(StandardCharsets.US_ASCII)));
    assertEquals(-1, indexOf(envelope, groupId));
    assertEquals(-1, indexOf(envelope, epochBytes));
    assertEquals(-1, indexOf(envelope, body));
    assertEquals(-1, indexOf(envelope, ByteBuffer.allocate(4).putInt(plaintext.length).array()));
    assertTrue(Padding.DEFAULT_BUCKETS.contains(envelope.length));
    assertArrayEquals(plaintext, GroupEnvelope.open(keys, envelope));
  }

  @Property(tries = 300)
  void envelopeSizes_areOnlyBucketSizes(@ForAll @IntRange(max = 65536 - 53) int length) throws Exception {
    byte[] envelope = GroupEnvelope.seal(newKeys(), new byte[length], RANDOM);
    assertTrue(Padding.DEFAULT_BUCKETS.contains(envelope.length), "length " + envelope.length);
    int smallestFitting = Padding.DEFAULT_BUCKETS.stream().filter(b -> b >= length + 53).findFirst().orElseThrow();
    assertEquals(smallestFitting, envelope.length);
  }

  @Property(tries = 300)
  void sealOpen_roundTrips(@ForAll @Size(max = 5000) byte[] payload) throws Exception {
    GroupEnvelopeKeys keys = newKeys();
    assertArrayEquals(payload, GroupEnvelope.open(keys, GroupEnvelope.seal(keys, payload, RANDOM)));
  }

  @Property
  void open_randomBytes_failsTyped(@ForAll @Size(max = 400) byte[] bytes, @ForAll boolean groupPrefix) {
    if (groupPrefix && bytes.length >= 1) {
      bytes[0] = (byte) EnvelopeConstants.VERSION;
    }
    EnvelopeException e = assertThrows(EnvelopeException.class, () -> GroupEnvelope.open(newKeys(), bytes));
    assertEquals(EnvelopeException.MESSAGE, e.getMessage());
  }

  @Property(tries = 500)
  void open_mutatedEnvelope_failsTyped(
      @ForAll @Size(max = 300) byte[] payload, @ForAll int position, @ForAll byte xor) throws Exception {
    GroupEnvelopeKeys keys = newKeys();
    byte[] envelope = GroupEnvelope.seal(keys, payload, RANDOM);
    if (xor == 0) {
      xor = 1;
    }
    envelope[Math.floorMod(position, envelope.length)] ^= xor;
    assertThrows(EnvelopeException.class, () -> GroupEnvelope.open(keys, envelope));
  }

  @Test
  void matches_ownKeysOnly() throws Exception {
    GroupEnvelopeKeys keys = newKeys();
    byte[] envelope = GroupEnvelope.seal(keys, new byte[1], RANDOM);
    assertTrue(GroupEnvelope.matches(keys, envelope));
    assertNotEquals(keys, newKeys());
    assertFalse(GroupEnvelope.matches(newKeys(), envelope));
    assertFalse(GroupEnvelope.matches(keys, new byte[3]));
  }

  @Test
  void tryOpen_otherChannelEmpty_ownChannelOpens_corruptFails() throws Exception {
    GroupEnvelopeKeys keys = newKeys();
    byte[] envelope = GroupEnvelope.seal(keys, new byte[] {5}, RANDOM);
    assertTrue(GroupEnvelope.tryOpen(newKeys(), envelope).isEmpty());
    assertArrayEquals(new byte[] {5}, GroupEnvelope.tryOpen(keys, envelope).orElseThrow());
    envelope[100] ^= 1;
    assertThrows(EnvelopeException.class, () -> GroupEnvelope.tryOpen(keys, envelope));
  }
}
