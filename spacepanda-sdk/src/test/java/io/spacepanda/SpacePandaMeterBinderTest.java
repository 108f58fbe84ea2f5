package io.spacepanda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SpacePandaMeterBinderTest {

  private final SimCluster cluster = new SimCluster(7);

  @AfterEach
  void tearDown() {
    cluster.close();
  }

  @Test
  void bindTo_twoNodesChat_metersShowTheTraffic() {
    SpacePandaMeterBinder meters = new SpacePandaMeterBinder(Tags.of("node", "alice"));
    SimCluster.Node alice = cluster.node("alice", Storages.inMemory(), f -> f,
        Jitter.none(), b -> b.eventListener(meters.eventListener()));
    SimCluster.Node bob = cluster.node("bob");
    meters.node(alice.node());
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    meters.bindTo(registry);

    Space space = cluster.await(alice.node().createSpace("Team"));
    cluster.await(bob.node().join(cluster.await(space.createInvite())));
    cluster.settle();
    cluster.await(space.channel("general").orElseThrow().send("hello"));
    cluster.await(bob.node().space(space.id()).orElseThrow().channel("general").orElseThrow()
        .send("hi"));
    cluster.settle();

    assertEquals(1.0, registry.get("spacepanda.spaces").tag("node", "alice").gauge().value());
    assertEquals(0.0, registry.get("spacepanda.outbox.backlog").gauge().value());
    assertEquals(0.0, registry.get("spacepanda.sync.gaps").gauge().value());
    assertEquals(1.0, registry.get("spacepanda.messages.sent").functionCounter().count());
    assertEquals(1.0, registry.get("spacepanda.messages.received").functionCounter().count());
    assertTrue(registry.get("spacepanda.envelopes.received").functionCounter().count() >= 2);
    assertTrue(registry.get("spacepanda.envelopes.received.bytes").functionCounter().count()
        >= 512);
    assertTrue(registry.get("spacepanda.copies.delivered").functionCounter().count() >= 1);
    assertTrue(registry.get("spacepanda.steps").tag("actor", "space").functionTimer().count()
        >= 2);
    assertEquals(0.0, registry.get("spacepanda.envelopes.dropped").tag("reason", "malformed")
        .functionCounter().count());
  }

  @Test
  void node_setTwice_fails() {
    SpacePanda n = SpacePanda.builder().p2p(false).build();
    SpacePandaMeterBinder meters = new SpacePandaMeterBinder().node(n);
    assertThrows(IllegalStateException.class, () -> meters.node(n));
  }

  @Test
  void bindTo_withoutNode_gaugesReadZero() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new SpacePandaMeterBinder().bindTo(registry);
    assertEquals(0.0, registry.get("spacepanda.peers.connected").gauge().value());
  }

  /**
   * Micrometer is optional: no class of the SDK but the binder may name it, or the SDK would fail
   * to load without it. Reads the constant pool (as bytes) of every compiled main class.
   */
  @Test
  void micrometer_isReferencedOnlyByTheBinder() throws IOException {
    Path classes = Path.of(SpacePanda.class.getProtectionDomain().getCodeSource().getLocation()
        .getPath());
    List<String> offenders = new ArrayList<>();
    int checked = 0;
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path p : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        String name = classes.relativize(p).toString().replace('\\', '/');
        if (name.startsWith("io/spacepanda/SpacePandaMeterBinder")
            || name.equals("module-info.class")) {
          continue;
        }
        checked++;
        String bytes = new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1);
        if (bytes.contains("io/micrometer")) {
          offenders.add(name);
        }
      }
    }
    assertTrue(checked > 100, "checked " + checked + " classes in " + classes);
    assertEquals(List.of(), offenders);
    String binder = new String(Files.readAllBytes(classes.resolve(
        "io/spacepanda/SpacePandaMeterBinder.class")), StandardCharsets.ISO_8859_1);
    assertTrue(binder.contains("io/micrometer"), "the check finds a reference where one is");
    assertFalse(new String(Files.readAllBytes(classes.resolve("io/spacepanda/NodeFront.class")),
        StandardCharsets.ISO_8859_1).contains("micrometer"));
  }
}
