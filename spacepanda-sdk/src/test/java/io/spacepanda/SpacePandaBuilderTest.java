package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.spi.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpacePandaBuilderTest {

  @TempDir
  Path dir;

  @Test
  void build_withoutTransport_failsNamingTheFix() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> SpacePanda.builder().storage(Storage.inMemory()).build());
    assertTrue(e.getMessage().contains("p2p(false)"), e.getMessage());
  }

  @Test
  void dataDir_twice_failsNamingTheEarlierValue() {
    SpacePanda.Builder b = SpacePanda.builder().dataDir(dir);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.dataDir(dir));
    assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
  }

  @Test
  void storage_afterDataDir_fails() {
    SpacePanda.Builder b = SpacePanda.builder().dataDir(dir);
    assertThrows(IllegalStateException.class, () -> b.storage(Storage.inMemory()));
  }

  @Test
  void transport_afterP2pFalse_fails() {
    SpacePanda.Builder b = SpacePanda.builder().p2p(false);
    assertThrows(IllegalStateException.class, () -> b.transport(ctx -> null));
  }

  @Test
  void listen_withP2pFalse_failsAtBuild() {
    SpacePanda.Builder b = SpacePanda.builder().p2p(false).listen("/ip4/0.0.0.0/tcp/0");
    assertThrows(IllegalStateException.class, b::build);
  }

  @Test
  void passphrase_withoutDataDir_failsAtBuild() {
    SpacePanda.Builder b = SpacePanda.builder().p2p(false).passphrase("secret".toCharArray());
    assertThrows(IllegalStateException.class, b::build);
  }

  @Test
  void badValues_failWithIllegalArgument() {
    SpacePanda.Builder b = SpacePanda.builder();
    assertThrows(IllegalArgumentException.class, () -> b.pastEpochRetention(-1));
    assertThrows(IllegalArgumentException.class, () -> b.pastEpochRetention(65));
    assertThrows(IllegalArgumentException.class, () -> b.paddingBuckets(List.of()));
    assertThrows(IllegalArgumentException.class, () -> b.paddingBuckets(List.of(1024, 256, 65536)));
    assertThrows(IllegalArgumentException.class, () -> b.paddingBuckets(List.of(256, 1024)));
    assertThrows(IllegalArgumentException.class, () -> b.listen(" "));
    assertThrows(IllegalArgumentException.class, () -> b.passphrase(new char[0]));
    assertThrows(NullPointerException.class, () -> b.jitter(null));
    b.bootstrap("/ip4/203.0.113.5/tcp/4001");
    assertThrows(IllegalArgumentException.class, () -> b.bootstrap("/ip4/203.0.113.5/tcp/4001"));
  }

  @Test
  void toString_showsOnlySetOptions_neverThePassphrase() {
    SpacePanda.Builder b = SpacePanda.builder().dataDir(dir).passphrase("hunter2".toCharArray())
        .jitter(Jitter.uniform(Duration.ofSeconds(5)));
    String s = b.toString();
    assertTrue(s.contains("dataDir") && s.contains("jitter"), s);
    assertFalse(s.contains("hunter2"), s);
    assertFalse(s.contains("listener"), s);
  }

  @Test
  void build_touchesNothing_startCreatesTheStore_closeStopsThreads() throws Exception {
    Path data = dir.resolve("node");
    SpacePanda node = SpacePanda.builder().dataDir(data).p2p(false).build();
    assertFalse(Files.exists(data));
    assertThrows(IllegalStateException.class, node::peerId);
    node.start().join();
    assertTrue(Files.exists(data));
    PeerId id = node.peerId();
    assertTrue(id.toBase58().startsWith("12D3KooW"));
    Space s = node.createSpace("Solo").join();
    s.channel("general").orElseThrow().send("note to self").join();
    node.close();
    assertTrue(Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.isAlive() && t.getName().startsWith("spacepanda-")),
        "a node thread outlived close()");

    SpacePanda again = SpacePanda.builder().dataDir(data).p2p(false).build();
    again.start().join();
    assertEquals(id, again.peerId());
    Space solo = again.spaces().get(0);
    assertEquals("Solo", solo.name());
    assertEquals(List.of("note to self"), solo.channel("general").orElseThrow().history(10, null)
        .join().stream().map(Message::text).toList());
    again.close();
    assertThrows(IllegalStateException.class, again::start);
  }

  @Test
  void passphrase_keepsMessageBodiesOutOfTheFiles() throws Exception {
    Path data = dir.resolve("secret-node");
    SpacePanda node = SpacePanda.builder().dataDir(data).p2p(false)
        .passphrase("correct horse".toCharArray()).build();
    node.start().join();
    String marker = "the-plaintext-marker-0123456789";
    node.createSpace("S").join().channel("general").orElseThrow().send(marker).join();
    node.close();
    try (var files = Files.walk(data)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        String content = new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertFalse(content.contains(marker), p.toString());
      }
    }
  }
}
