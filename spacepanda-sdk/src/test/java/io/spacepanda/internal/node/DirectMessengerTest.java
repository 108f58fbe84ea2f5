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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
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
  void onFragment_sameChunkAgain_keptOnceWithoutError() throws Exception {
    DirectMessenger m = new DirectMessenger(SMALL, random);
    List<NodeWire.Fragment> fragments = fragmentsOf(m.seal(inbox.publicKey(),
        new NodeWire.Join(NodeWire.JOIN_RESPONSE, bytes(10_000))));
    m.onFragment(fragments.get(0));
    long held = m.heldBytes();
    assertTrue(m.onFragment(fragments.get(0)).isEmpty());
    assertEquals(held, m.heldBytes(), "a chunk sent again is not held twice");
  }

  @Test
  void onFragment_otherChunkAtTheSameIndex_refused() throws Exception {
    DirectMessenger m = new DirectMessenger(SMALL, random);
    List<NodeWire.Fragment> fragments = fragmentsOf(m.seal(inbox.publicKey(),
        new NodeWire.Join(NodeWire.JOIN_RESPONSE, bytes(10_000))));
    NodeWire.Fragment first = fragments.get(0);
    m.onFragment(first);
    NodeWire.Fragment liar = new NodeWire.Fragment(first.messageId(), 0, first.count(),
        bytes(first.chunk().length));
    assertThrows(DirectMessenger.FragmentException.class, () -> m.onFragment(liar));
  }

  /**
   * The whole message is refused for now (its protocol's budget is full): the last fragment is
   * not acknowledged and comes again; the earlier ones, acknowledged, must still be held so that
   * it completes the message (they were lost before issue 14's fix).
   */
  @Test
  void onFragment_wholeMessageRefused_resentLastFragmentCompletesIt() throws Exception {
    DirectMessenger sender = new DirectMessenger(SMALL, random);
    NodeWire.Join msg = new NodeWire.Join(NodeWire.JOIN_RESPONSE, bytes(20_000));
    List<NodeWire.Fragment> fragments = fragmentsOf(sender.seal(inbox.publicKey(), msg));
    Collections.shuffle(fragments, random);
    DirectMessenger receiver = new DirectMessenger(SMALL, random);
    List<NodeWire.Msg> handled = new ArrayList<>();
    boolean[] refuse = {true};
    java.util.function.Function<NodeWire.Msg, CompletableFuture<Void>> dispatch = m -> {
      if (refuse[0]) {
        return CompletableFuture.failedFuture(new InboundRouter.RefusedException("budget full"));
      }
      handled.add(m);
      return CompletableFuture.completedFuture(null);
    };
    for (NodeWire.Fragment f : fragments.subList(0, fragments.size() - 1)) {
      assertTrue(receiver.onFragment(f, dispatch).isDone());
    }
    NodeWire.Fragment last = fragments.get(fragments.size() - 1);
    CompletableFuture<Void> first = receiver.onFragment(last, dispatch);
    ExecutionException refused = assertThrows(ExecutionException.class, first::get);
    assertTrue(refused.getCause() instanceof InboundRouter.RefusedException,
        "the refusal is typed, so the last fragment is not acknowledged: " + refused.getCause());
    assertEquals(1, receiver.reassembling(), "the earlier fragments are held again");

    refuse[0] = false;
    receiver.onFragment(last, dispatch).get();
    assertEquals(1, handled.size(), "the resent last fragment completes the message, seed " + seed);
    assertSameJoin(msg, handled.get(0));
    assertEquals(0, receiver.reassembling());
    assertEquals(0, receiver.heldBytes());
  }

  /** Storage failed while the whole message was handled (later, on another lane): same. */
  @Test
  void onFragment_wholeMessageFailsInStorageLater_resentLastFragmentCompletesIt()
      throws Exception {
    DirectMessenger sender = new DirectMessenger(SMALL, random);
    NodeWire.Join msg = new NodeWire.Join(NodeWire.JOIN_RESPONSE, bytes(9_000));
    List<NodeWire.Fragment> fragments = fragmentsOf(sender.seal(inbox.publicKey(), msg));
    DirectMessenger receiver = new DirectMessenger(SMALL, random);
    CompletableFuture<Void> storing = new CompletableFuture<>();
    for (NodeWire.Fragment f : fragments.subList(0, fragments.size() - 1)) {
      receiver.onFragment(f, m -> storing);
    }
    NodeWire.Fragment last = fragments.get(fragments.size() - 1);
    CompletableFuture<Void> first = receiver.onFragment(last, m -> storing);
    assertEquals(0, receiver.reassembling(), "handed on whole");
    storing.completeExceptionally(new CompletionException(
        new io.spacepanda.spi.StorageException("disk full")));
    assertThrows(ExecutionException.class, first::get);
    assertEquals(1, receiver.reassembling(), "held again after the storage failure");

    NodeWire.Msg[] again = new NodeWire.Msg[1];
    receiver.onFragment(last, m -> {
      again[0] = m;
      return CompletableFuture.completedFuture(null);
    }).get();
    assertSameJoin(msg, again[0]);
  }

  /** A whole message that is bad (not refused) is dropped and not held again. */
  @Test
  void onFragment_wholeMessageMalformed_notHeldAgain() throws Exception {
    DirectMessenger sender = new DirectMessenger(SMALL, random);
    List<NodeWire.Fragment> fragments = fragmentsOf(sender.seal(inbox.publicKey(),
        new NodeWire.Join(NodeWire.JOIN_RESPONSE, bytes(9_000))));
    DirectMessenger receiver = new DirectMessenger(SMALL, random);
    CompletableFuture<Void> last = null;
    for (NodeWire.Fragment f : fragments) {
      last = receiver.onFragment(f,
          m -> CompletableFuture.failedFuture(new IllegalArgumentException("bad join")));
    }
    assertThrows(ExecutionException.class, last::get);
    assertEquals(0, receiver.reassembling());
    assertEquals(0, receiver.heldBytes());
  }

  /** Partly received messages never hold more than the byte budget, however many arrive. */
  @Test
  void onFragment_manyLargePartialMessages_heldBytesBounded() throws Exception {
    DirectMessenger receiver = new DirectMessenger(Padding.defaults(), random);
    byte[] chunk = bytes(NodeWire.MAX_FRAGMENT_CHUNK);
    for (int m = 0; m < 40; m++) {
      byte[] id = bytes(NodeWire.FRAGMENT_ID_LENGTH);
      for (int i = 0; i < NodeWire.MAX_FRAGMENTS - 1; i++) {
        receiver.onFragment(new NodeWire.Fragment(id, i, NodeWire.MAX_FRAGMENTS, chunk));
        assertTrue(receiver.heldBytes() <= DirectMessenger.MAX_REASSEMBLY_BYTES,
            "held " + receiver.heldBytes());
      }
    }
    assertTrue(receiver.reassembling() >= 1 && receiver.reassembling() <= 2,
        "the newest are kept: " + receiver.reassembling());
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
    assertThrows(DirectMessenger.FragmentException.class, () -> m.onFragment(liar));
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
