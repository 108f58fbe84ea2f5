package io.spacepanda.internal.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.PeerId;
import io.spacepanda.SpacePandaListener;
import io.spacepanda.internal.crypto.InboxKey;
import io.spacepanda.internal.envelope.DirectEnvelope;
import io.spacepanda.internal.net.sim.SimulatedNetwork;
import io.spacepanda.spi.Storage;
import io.spacepanda.spi.StorageException;
import io.spacepanda.Storages;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: an envelope no group tag knows costs an HPKE open, which runs on the node lane, never
 * on the transport's thread (where it would delay other peers' envelopes on the same event loop);
 * one peer may have only {@link InboundRouter#MAX_OPENING_PER_PEER} queued for it, so a flood of
 * junk is refused beyond its share while another peer's envelope is still taken.
 */
class DirectOpenFairnessTest {

  private final SimulatedNetwork net = new SimulatedNetwork(1);
  private final Storage storage = Storages.inMemory();
  private final NodeContext ctx =
      TestContexts.create(storage, net.clock(), net.scheduler(), new SpacePandaListener() {});
  private final ArrayDeque<Runnable> queued = new ArrayDeque<>();
  private final Lane lane = new Lane("node", io.spacepanda.NodeEventListener.ActorKind.NODE,
      queued::add);
  private final SecureRandom random = new SecureRandom();

  @AfterEach
  void tearDown() throws StorageException {
    storage.close();
  }

  private static PeerId peer(int i) {
    byte[] key = new byte[32];
    key[0] = (byte) i;
    return PeerId.fromPublicKey(key);
  }

  private void runLane() {
    while (!queued.isEmpty()) {
      queued.poll().run();
    }
  }

  @Test
  void junkFlood_openedOnTheLane_refusedBeyondItsShare_otherPeerStillTaken() throws Exception {
    InboundRouter router = new InboundRouter(ctx, lane);
    byte[] stranger = InboxKey.generate(random).publicKey(); // sealed to someone else: junk here
    List<CompletableFuture<Void>> flood = new ArrayList<>();
    for (int i = 0; i < InboundRouter.MAX_OPENING_PER_PEER; i++) {
      flood.add(router.onEnvelope(peer(1), DirectEnvelope.seal(stranger, new byte[] {(byte) i})));
    }
    for (CompletableFuture<Void> f : flood) {
      assertFalse(f.isDone(), "nothing opened on the transport's thread");
    }
    CompletableFuture<Void> over = router.onEnvelope(peer(1),
        DirectEnvelope.seal(stranger, new byte[] {-1}));
    ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(
        ExecutionException.class, over::get);
    assertInstanceOf(InboundRouter.RefusedException.class, refused.getCause());

    NodeWire.Msg invite = new NodeWire.ChannelInvite(new byte[16],
        new NodeWire.ChannelInfo(new byte[16], "c", new byte[38]));
    CompletableFuture<Void> good = router.onEnvelope(peer(2),
        DirectEnvelope.seal(ctx.inbox.publicKey(), invite.toBytes()));
    assertFalse(good.isDone());

    runLane();
    assertTrue(good.isDone());
    good.get(); // opened and handled (an invite of an unknown space: dropped, acknowledged)
    int held = 0;
    for (CompletableFuture<Void> f : flood) {
      assertTrue(f.isDone());
      if (!f.isCompletedExceptionally()) {
        held++;
      }
    }
    // junk no seal opens is held as an envelope of an unknown group, within its per-peer quota
    assertEquals(InboundRouter.MAX_UNKNOWN_HELD_PER_PEER, held);
    // once the lane drained, the peer has its share again
    CompletableFuture<Void> later = router.onEnvelope(peer(1),
        DirectEnvelope.seal(stranger, new byte[] {-2}));
    assertFalse(later.isDone());
  }
}
