package io.spacepanda.internal.node;

import io.spacepanda.Storages;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.SpacePandaListener;
import io.spacepanda.internal.net.sim.SimulatedNetwork;
import io.spacepanda.spi.Id;
import io.spacepanda.spi.PendingEnvelope;
import io.spacepanda.spi.Storage;
import io.spacepanda.spi.StorageException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Held envelopes are bounded: at most {@link PendingEnvelopes#MAX_PENDING}, the oldest dropped
 * first, and none older than {@link PendingEnvelopes#MAX_AGE}. (Holding and delivering on the
 * epoch change is covered end to end by {@code io.spacepanda.PendingEnvelopesTest}.)
 */
class PendingEnvelopesTest {

  private final SimulatedNetwork net = new SimulatedNetwork(1);
  private final Storage storage = Storages.inMemory();
  private final NodeContext ctx =
      TestContexts.create(storage, net.clock(), net.scheduler(), new SpacePandaListener() {});
  private final Lane lane = new Lane("test", io.spacepanda.NodeEventListener.ActorKind.NODE, Runnable::run);

  @AfterEach
  void tearDown() throws StorageException {
    storage.close();
  }

  private static byte[] envelope(int n) {
    return ByteBuffer.allocate(64).putInt(n).array();
  }

  private void hold(int n) {
    ctx.steps.submit(lane, null, s -> {
      PendingEnvelopes.hold(s, ctx, envelope(n));
      return null;
    }).join();
  }

  private Set<Id> kept() throws StorageException {
    return storage.<List<PendingEnvelope>, RuntimeException>inTransaction(
        t -> t.pendingEnvelopes()).stream().map(PendingEnvelope::envelopeId)
        .collect(Collectors.toSet());
  }

  private static Id idOf(int n) {
    return Id.of(NodeContext.sha256(envelope(n)));
  }

  @Test
  void hold_beyondMaxPending_dropsTheOldest() throws StorageException {
    int extra = 5;
    for (int i = 0; i < PendingEnvelopes.MAX_PENDING + extra; i++) {
      hold(i);
      net.advance(Duration.ofMillis(1));
    }
    Set<Id> kept = kept();
    assertEquals(PendingEnvelopes.MAX_PENDING, kept.size());
    for (int i = 0; i < extra; i++) {
      assertFalse(kept.contains(idOf(i)), "envelope " + i + " (among the oldest) was kept");
    }
    assertTrue(kept.contains(idOf(PendingEnvelopes.MAX_PENDING + extra - 1)), "newest kept");
  }

  @Test
  void hold_olderThanMaxAge_dropped() throws StorageException {
    hold(1);
    hold(2);
    net.advance(PendingEnvelopes.MAX_AGE.plusSeconds(1));
    hold(3);
    assertEquals(Set.of(idOf(3)), kept());
  }

  @Test
  void hold_sameEnvelopeTwice_keptOnce() throws StorageException {
    hold(7);
    hold(7);
    assertEquals(Set.of(idOf(7)), kept());
  }
}
