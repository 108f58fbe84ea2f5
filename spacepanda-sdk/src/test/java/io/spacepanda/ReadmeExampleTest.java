package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's example, with a second node for bob, over libp2p TCP on loopback and SQLite: if the
 * API or its behaviour drifts from the README, this fails.
 */
class ReadmeExampleTest {

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void readmeExample_bobJoinsByCode_andReadsAlicesMessageInHistory(@TempDir Path tmp)
      throws Exception {
    CompletableFuture<Message> bobGotIt = new CompletableFuture<>();
    SpacePanda alice = SpacePanda.builder()
        .dataDir(tmp.resolve("alice"))
        .listen("/ip4/127.0.0.1/tcp/0")
        .jitter(Jitter.none())
        .build();
    SpacePanda bob = SpacePanda.builder()
        .dataDir(tmp.resolve("bob"))
        .listen("/ip4/127.0.0.1/tcp/0")
        .jitter(Jitter.none())
        .listener(new SpacePandaListener() {
          @Override
          public void onMessage(Channel channel, Message message) {
            bobGotIt.complete(message);
          }
        })
        .build();
    try (alice; bob) {
      alice.start().join();
      bob.start().join();
      Space team = alice.createSpace("Team").join();
      Channel general = team.channel("general").orElseThrow();
      String code = team.createInvite().join();

      Space joined = bob.join(code).join();
      assertEquals("Team", joined.name());

      general.send("hello, bob").join();
      Message received = bobGotIt.get(60, TimeUnit.SECONDS);
      assertEquals("hello, bob", received.text());
      assertEquals(alice.peerId(), received.sender());
      List<Message> last = general.history(50, null).join();
      assertTrue(last.stream().anyMatch(m -> m.text().equals("hello, bob")));
    }
  }
}
