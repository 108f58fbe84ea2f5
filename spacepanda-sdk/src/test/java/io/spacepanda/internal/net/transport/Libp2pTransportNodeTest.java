package io.spacepanda.internal.net.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spacepanda.Channel;
import io.spacepanda.Jitter;
import io.spacepanda.Message;
import io.spacepanda.Space;
import io.spacepanda.SpacePanda;
import io.spacepanda.Storages;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two SpacePanda nodes on the libp2p transport over 127.0.0.1: invite, join, chat both ways. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class Libp2pTransportNodeTest {

  private final List<SpacePanda> nodes = new ArrayList<>();

  private SpacePanda node() throws Exception {
    SpacePanda n = SpacePanda.builder()
        .storage(Storages.inMemory())
        .transport(Libp2pTransport.factory(TransportFixtures.shortTimeouts()))
        .listen(TransportFixtures.LOOPBACK)
        .jitter(Jitter.none())
        .build();
    nodes.add(n);
    n.start().get(20, TimeUnit.SECONDS);
    return n;
  }

  private static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(30, TimeUnit.SECONDS);
  }

  private static void eventually(BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 1200 && !condition.getAsBoolean(); i++) {
      Thread.sleep(25);
    }
    assertEquals(true, condition.getAsBoolean(), "condition not reached within 30 s");
  }

  private static List<String> texts(Channel c) throws Exception {
    return await(c.history(10, null)).stream().map(Message::text).toList();
  }

  @AfterEach
  void closeNodes() {
    nodes.forEach(SpacePanda::close);
  }

  @Test
  void twoNodes_overLoopbackTcp_joinAndExchangeMessagesBothWays() throws Exception {
    SpacePanda alice = node();
    SpacePanda bob = node();
    Space space = await(alice.createSpace("Team"));
    String code = await(space.createInvite());

    Space joined = await(bob.join(code));
    Channel ag = space.channel("general").orElseThrow();
    Channel bg = joined.channel("general").orElseThrow();
    await(ag.send("hi bob"));
    eventually(() -> {
      try {
        return texts(bg).contains("hi bob");
      } catch (Exception e) {
        return false;
      }
    });
    await(bg.send("hi alice"));
    eventually(() -> {
      try {
        return texts(ag).equals(List.of("hi bob", "hi alice"));
      } catch (Exception e) {
        return false;
      }
    });

    assertEquals("Team", joined.name());
    assertEquals(List.of("hi bob", "hi alice"), texts(bg));
  }
}
