package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * A {@link Channel} or {@link Space} handed to a listener answers its identity after this node was
 * removed; what needs membership fails with {@link NotMemberException}.
 */
class ListenerContractTest {

  @Test
  void removedMember_channelFromListener_answersIdentity_failsWhatNeedsMembership() {
    long seed = Long.getLong("spacepanda.seed", System.nanoTime());
    System.out.println("ListenerContractTest seed=" + seed);
    try (SimCluster cluster = new SimCluster(seed)) {
      SimCluster.Node alice = cluster.node("alice");
      List<Channel> removedFrom = new ArrayList<>();
      List<Throwable> listenerErrors = new ArrayList<>();
      SpacePanda carol = SpacePanda.builder().storage(Storages.inMemory())
          .transport(cluster.net.transportFactory()).jitter(Jitter.none())
          .clock(cluster.net.clock()).scheduler(cluster.net.scheduler())
          .random(SimCluster.seeded(seed + 11)).listenerExecutor(Runnable::run)
          .listener(new SpacePandaListener() {
            @Override
            public void onMemberRemoved(Channel channel, PeerId member) {
              try {
                // Identity is answered inside the callback, right after the removal.
                channel.name();
                channel.space().name();
                removedFrom.add(channel);
              } catch (RuntimeException e) {
                listenerErrors.add(e);
              }
            }
          }).build();
      cluster.await(carol.start());
      Space space = cluster.await(alice.node().createSpace("Team"));
      cluster.await(carol.join(cluster.await(space.createInvite())));
      cluster.settle();

      cluster.await(space.remove(carol.peerId()));
      cluster.settle();

      assertEquals(List.of(), listenerErrors, "seed " + seed);
      assertFalse(removedFrom.isEmpty(), "carol saw her removal (seed " + seed + ")");
      Channel general = removedFrom.get(0);
      assertEquals("general", general.name());
      assertEquals(space.id(), general.space().id());
      assertEquals("Team", general.space().name());
      assertTrue(general.id().length() > 0);
      assertThrows(NotMemberException.class, general::members);
      CompletionException sent = assertThrows(CompletionException.class,
          () -> general.send("still here?").join());
      assertInstanceOf(NotMemberException.class, sent.getCause());
      assertTrue(carol.space(space.id()).isEmpty());
      carol.close();
    }
  }
}
