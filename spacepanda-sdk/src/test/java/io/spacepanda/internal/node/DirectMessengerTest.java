package io.spacepanda.internal.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.crypto.InboxKey;
import io.spacepanda.internal.envelope.DirectEnvelope;
import io.spacepanda.internal.envelope.EnvelopeConstants;
import io.spacepanda.internal.envelope.EnvelopeTooLargeException;
import io.spacepanda.internal.envelope.Padding;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * A node message too large for one direct envelope is sealed as fragments that each fit the
 * largest padding bucket and reassemble, in any order, to the same message.
 */
class DirectMessengerTest {

  /** Small buckets, so that fragmenting tests stay fast: chunks of 2 KiB, up to 128 KiB. */
  private static final Padding SMALL = Padding.of(List.of(256, 4096));

  private final long seed = Long.getLong("spacepanda.seed", System.nanoTime());
  private final Random random = new Random(seed);
  private final InboxKey inbox = InboxKey.generate(new SecureRandom());

  private byte[] bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private static int largestEnvelope(Padding padding) {
    return Collections.max(padding.buckets()) + EnvelopeConstants.DIRECT_OVERHEAD;
  }

  private List<NodeWire.Fragment> fragmentsOf(List<byte[]> envelopes) throws Exception {
    List<NodeWire.Fragment> out = new ArrayList<>();
    for (byte[] env : envelopes) {
      out.add((NodeWire.Fragment) NodeWire.decode(DirectEnvelope.open(inbox, env)));
    }
    return out;
  }

  /** Feeds fragments in the given order; returns what the last one completed. */
  private static NodeWire.Msg reassemble(DirectMessenger m, List<NodeWire.Fragment> fragments)
      throws Exception {
    Optional<NodeWire.Msg> whole = Optional.empty();
    for (int i = 0; i < fragments.size(); i++) {
      assertTrue(whole.isEmpty(), "completed before the last fragment");
      whole = m.onFragment(fragments.get(i));
    }
    assertTrue(whole.isPresent(), "not complete after every fragment");
    return whole.get();
  }

  private void assertSameJoin(NodeWire.Join expected, NodeWire.Msg actual) {
    NodeWire.Join j = (NodeWire.Join) actual;
    assertEquals(expected.kind(), j.kind(), "seed " + seed);
    assertArrayEquals(expected.body(), j.body(), "seed " + seed);
  }

  @Test
  void seal_smallMessage_oneEnvelope() throws Exception {
    DirectMessenger m = new DirectMessenger(SMALL, random);
    NodeWire.Join msg = new NodeWire.Join(NodeWire.JOIN_REQUEST, bytes(100));
    List<byte[]> envs = m.seal(inbox.publicKey(), msg);
    assertEquals(1, envs.size());
    assertSameJoin(msg, NodeWire.decode(DirectEnvelope.open(inbox, envs.get(0))));
  }

  @Test
  void seal_largerThanTheLargestBucket_fragmentsFitAndReassembleInAnyOrder() throws Exception {
    DirectMessenger sender = new DirectMessenger(SMALL, random);
    NodeWire.Join msg = new NodeWire.Join(NodeWire.JOIN_RESPONSE, bytes(50_000));
    List<byte[]> envs = sender.seal(inbox.publicKey(), msg);

    assertTrue(envs.size() > 1, "split into fragments");
    for (byte[] env : envs) {
      assertTrue(env.length <= largestEnvelope(SMALL), "a fragment envelope of " + env.length
          + " bytes does not fit the largest bucket");
    }
    List<NodeWire.Fragment> fragments = fragmentsOf(envs);
    Collections.shuffle(fragments, random);
    DirectMessenger receiver = new DirectMessenger(SMALL, random);
    assertSameJoin(msg, reassemble(receiver, fragments));
    assertEquals(0, receiver.reassembling(), "nothing left after reassembly");
  }

  @Test
  void seal_beyondTheMostFragments_tooLarge() {
    DirectMessenger m = new DirectMessenger(SMALL, random);
    // 64 fragments of at most 2 KiB fit 128 KiB; this does not.
    NodeWire.Join msg = new NodeWire.Join(NodeWire.JOIN_RESPONSE, bytes(200_000));
    assertThrows(EnvelopeTooLargeException.class, () -> m.seal(inbox.publicKey(), msg));
  }

  @Test
  void onFragment_duplicate_refused() throws Exception {
    DirectMessenger m = new DirectMessenger(SMALL, random);
    List<NodeWire.Fragment> fragments = fragmentsOf(m.seal(inbox.publicKey(),
        new NodeWire.Join(NodeWire.JOIN_RESPONSE, bytes(10_000))));
    m.onFragment(fragments.get(0));
    assertThrows(IllegalArgumentException.class, () -> m.onFragment(fragments.get(0)));
  }

  @Test
  void onFragment_countDiffersFromEarlierFragments_refused() throws Exception {
    DirectMessenger m = new DirectMessenger(SMALL, random);
    List<NodeWire.Fragment> fragments = fragmentsOf(m.seal(inbox.publicKey(),
        new NodeWire.Join(NodeWire.JOIN_RESPONSE, bytes(10_000))));
    NodeWire.Fragment first = fragments.get(0);
    m.onFragment(first);
    NodeWire.Fragment liar = new NodeWire.Fragment(first.messageId(), 1, first.count() + 1,
        fragments.get(1).chunk());
    assertThrows(IllegalArgumentException.class, () -> m.onFragment(liar));
  }

  @Test
  void onFragment_moreThanMaxReassemblies_dropsTheOldest() throws Exception {
    DirectMessenger sender = new DirectMessenger(SMALL, random);
    DirectMessenger receiver = new DirectMessenger(SMALL, random);
    List<List<NodeWire.Fragment>> messages = new ArrayList<>();
    for (int i = 0; i <= DirectMessenger.MAX_REASSEMBLIES; i++) {
      messages.add(fragmentsOf(sender.seal(inbox.publicKey(),
          new NodeWire.Join(NodeWire.JOIN_RESPONSE, bytes(5_000)))));
    }
    for (List<NodeWire.Fragment> fs : messages) {
      assertTrue(receiver.onFragment(fs.get(0)).isEmpty());
    }
    assertEquals(DirectMessenger.MAX_REASSEMBLIES, receiver.reassembling());

    // The newest is still kept: its other fragments complete it.
    List<NodeWire.Fragment> newest = messages.get(messages.size() - 1);
    Optional<NodeWire.Msg> whole = Optional.empty();
    for (NodeWire.Fragment f : newest.subList(1, newest.size())) {
      whole = receiver.onFragment(f);
    }
    assertTrue(whole.isPresent(), "the newest partial message was kept");

    // The oldest was dropped: its other fragments start over and do not complete it.
    List<NodeWire.Fragment> oldest = messages.get(0);
    for (NodeWire.Fragment f : oldest.subList(1, oldest.size())) {
      assertTrue(receiver.onFragment(f).isEmpty(), "the oldest partial message was kept");
    }
  }

  /** Any node message up to the largest the default buckets can carry round-trips. */
  @Property(tries = 12)
  void seal_anySizeUpToTheMaximum_roundTrips(
      @ForAll @IntRange(min = 0, max = NodeWire.MAX_FRAGMENTS * DirectMessenger.FRAGMENT_CHUNK - 1)
          int size,
      @ForAll long seed) throws Exception {
    Random r = new Random(seed);
    byte[] body = new byte[size];
    r.nextBytes(body);
    NodeWire.Join msg = new NodeWire.Join(NodeWire.JOIN_RESPONSE, body);
    Padding padding = Padding.defaults();
    DirectMessenger sender = new DirectMessenger(padding, r);
    List<byte[]> envs = sender.seal(inbox.publicKey(), msg);
    for (byte[] env : envs) {
      assertTrue(env.length <= largestEnvelope(padding), "size " + size + " seed " + seed);
    }
    NodeWire.Msg back;
    if (envs.size() == 1) {
      back = NodeWire.decode(DirectEnvelope.open(inbox, envs.get(0)));
    } else {
      List<NodeWire.Fragment> fragments = fragmentsOf(envs);
      Collections.shuffle(fragments, r);
      back = reassemble(new DirectMessenger(padding, r), fragments);
    }
    NodeWire.Join j = (NodeWire.Join) back;
    assertEquals(msg.kind(), j.kind());
    assertArrayEquals(body, j.body(), "size " + size + " seed " + seed);
  }
}
