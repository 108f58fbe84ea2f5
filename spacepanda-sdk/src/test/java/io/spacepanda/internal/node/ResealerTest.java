package io.spacepanda.internal.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.spacepanda.PeerId;
import io.spacepanda.internal.envelope.GroupEnvelope;
import io.spacepanda.internal.envelope.GroupEnvelopeKeys;
import io.spacepanda.internal.envelope.TagIndex;
import io.spacepanda.testkit.TestPeers;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * The resealer opens and hashes each envelope once, and its copies are byte for byte the ones the
 * per-copy derivation gives: {@code reseal(keys, envelope, HMAC(resealKey, recipient ‖
 * SHA-256(envelope))[0..16])}, also after the envelope left its small cache.
 */
class ResealerTest {

  private static final long SEED = 20261206L;

  @Test
  void copiesEqualThePerCopyDerivationAcrossCacheEvictions() throws Exception {
    Random rnd = new Random(SEED);
    SecureRandom sealing = SecureRandom.getInstance("SHA1PRNG");
    sealing.setSeed(SEED);
    byte[] resealKey = new byte[32];
    rnd.nextBytes(resealKey);
    TagIndex<Integer> tags = new TagIndex<>();
    List<GroupEnvelopeKeys> keys = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      byte[] secret = new byte[32];
      rnd.nextBytes(secret);
      keys.add(GroupEnvelopeKeys.derive(secret));
      tags.put(i, keys.get(i));
    }
    Resealer resealer = new Resealer(tags, resealKey::clone);
    List<byte[]> envelopes = new ArrayList<>();
    List<GroupEnvelopeKeys> sealedWith = new ArrayList<>();
    for (int i = 0; i < 3 * Resealer.SLOTS; i++) {
      byte[] body = new byte[rnd.nextInt(3000)];
      rnd.nextBytes(body);
      GroupEnvelopeKeys k = keys.get(rnd.nextInt(keys.size()));
      envelopes.add(GroupEnvelope.seal(k, body, sealing));
      sealedWith.add(k);
    }
    // Interleaved like copies leaving several windows: every envelope to several recipients,
    // revisited after others pushed it out of the ring, each time from a fresh array.
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < envelopes.size(); i++) {
        for (int r = 0; r < 4; r++) {
          PeerId to = TestPeers.peer(r);
          byte[] envelope = envelopes.get(i).clone();
          byte[] copy = resealer.reseal(to, envelope);
          byte[] expected = GroupEnvelope.reseal(sealedWith.get(i), envelopes.get(i),
              nonce(resealKey, to, envelopes.get(i)));
          assertArrayEquals(expected, copy, "envelope " + i + " to recipient " + r);
          assertFalse(Arrays.equals(envelopes.get(i), copy));
        }
      }
    }
  }

  @Test
  void otherEnvelopesGoOnUnchanged() throws Exception {
    Random rnd = new Random(SEED);
    byte[] secret = new byte[32];
    rnd.nextBytes(secret);
    TagIndex<Integer> tags = new TagIndex<>();
    tags.put(1, GroupEnvelopeKeys.derive(secret));
    Resealer resealer = new Resealer(tags, () -> new byte[32]);
    byte[] foreign = new byte[256];
    rnd.nextBytes(foreign);
    assertSame(foreign, resealer.reseal(TestPeers.peer(1), foreign));
    rnd.nextBytes(secret);
    byte[] otherEpoch = GroupEnvelope.seal(GroupEnvelopeKeys.derive(secret), new byte[10],
        new SecureRandom());
    assertSame(otherEpoch, resealer.reseal(TestPeers.peer(1), otherEpoch));
  }

  private static byte[] nonce(byte[] key, PeerId to, byte[] envelope) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    mac.update(to.bytes());
    mac.update(MessageDigest.getInstance("SHA-256").digest(envelope));
    return Arrays.copyOf(mac.doFinal(), 16);
  }
}
