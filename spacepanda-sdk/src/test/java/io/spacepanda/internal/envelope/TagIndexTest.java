package io.spacepanda.internal.envelope;

import static io.spacepanda.internal.envelope.EnvelopeFixtures.RANDOM;
import static io.spacepanda.internal.envelope.EnvelopeFixtures.newKeys;
import static io.spacepanda.internal.envelope.EnvelopeFixtures.randomBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class TagIndexTest {

  @Test
  void tryOpen_manyChannels_findsTheOneThatSealed() throws Exception {
    TagIndex<String> index = new TagIndex<>();
    List<GroupEnvelopeKeys> keys = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      GroupEnvelopeKeys k = newKeys();
      keys.add(k);
      index.put("channel-" + i, k);
    }
    assertEquals(50, index.size());
    for (int i : new int[] {0, 17, 49}) {
      byte[] payload = randomBytes(30);
      byte[] envelope = GroupEnvelope.seal(keys.get(i), payload, RANDOM);
      assertEquals(Optional.of("channel-" + i), index.find(envelope));
      TagIndex.Opened<String> opened = index.tryOpen(envelope).orElseThrow();
      assertEquals("channel-" + i, opened.label());
      assertArrayEquals(payload, opened.plaintext());
    }
  }

  @Test
  void tryOpenWithHint_rightWrongOrGoneHint_opensWithTheKeysThatSealed() throws Exception {
    TagIndex<String> index = new TagIndex<>();
    GroupEnvelopeKeys a = newKeys();
    GroupEnvelopeKeys b = newKeys();
    index.put("a", a);
    index.put("b", b);
    byte[] payload = randomBytes(40);
    byte[] envelope = GroupEnvelope.seal(b, payload, RANDOM);
    for (String hint : new String[] {"b", "a", "gone", null}) {
      TagIndex.Opened<String> opened = index.tryOpen(envelope, hint).orElseThrow();
      assertEquals("b", opened.label(), "hint " + hint);
      assertArrayEquals(payload, opened.plaintext());
    }
    assertTrue(index.remove("b"));
    assertTrue(index.tryOpen(envelope, "b").isEmpty(), "keys removed after the hint was found");
    index.put("b", b);
    envelope[envelope.length - 1] ^= 1;
    byte[] corrupt = envelope;
    assertThrows(EnvelopeException.class, () -> index.tryOpen(corrupt, "b"));
  }

  @Test
  void tryOpen_unknownChannel_isEmptySoTheEnvelopeCanBeKept() throws Exception {
    TagIndex<String> index = new TagIndex<>();
    index.put("a", newKeys());
    byte[] envelope = GroupEnvelope.seal(newKeys(), new byte[5], RANDOM);
    assertTrue(index.tryOpen(envelope).isEmpty());
    assertTrue(index.find(envelope).isEmpty());
  }

  @Test
  void tryOpen_nextEpochKeyAdded_opensHeldEnvelope() throws Exception {
    TagIndex<Integer> index = new TagIndex<>();
    GroupEnvelopeKeys epoch1 = newKeys();
    GroupEnvelopeKeys epoch2 = newKeys();
    index.put(1, epoch1);
    byte[] early = GroupEnvelope.seal(epoch2, new byte[] {42}, RANDOM);
    assertTrue(index.tryOpen(early).isEmpty());
    index.put(2, epoch2);
    assertEquals(2, index.tryOpen(early).orElseThrow().label());
    assertTrue(index.remove(1));
    assertFalse(index.remove(1));
    assertEquals(1, index.size());
  }

  @Test
  void tryOpen_matchingTagButCorruptCiphertext_failsTyped() throws Exception {
    TagIndex<String> index = new TagIndex<>();
    GroupEnvelopeKeys keys = newKeys();
    index.put("a", keys);
    byte[] envelope = GroupEnvelope.seal(keys, new byte[5], RANDOM);
    envelope[envelope.length - 1] ^= 1;
    assertEquals(Optional.of("a"), index.find(envelope));
    assertThrows(EnvelopeException.class, () -> index.tryOpen(envelope));
  }

  @Property(tries = 300)
  void tryOpen_randomBytes_emptyOrTyped(@ForAll @Size(max = 300) byte[] bytes) {
    TagIndex<String> index = new TagIndex<>();
    index.put("a", newKeys());
    try {
      assertTrue(index.tryOpen(bytes).isEmpty());
    } catch (EnvelopeException e) {
      assertEquals(EnvelopeException.MESSAGE, e.getMessage());
    }
  }
}
