package io.spacepanda.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The owner's JVM is killed (kill -9) for good; the admin it named invites a newcomer, the
 * newcomer joins and everyone left chats: separate JVMs over TCP on 127.0.0.1 with SQLite
 * (issue 11).
 */
class OwnerKilledTest {

  private final List<ChatProcess> processes = new ArrayList<>();

  @TempDir
  Path tmp;

  @AfterEach
  void destroyProcesses() {
    processes.forEach(ChatProcess::close);
  }

  private ChatProcess chat(String name) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    ChatProcess p = ChatProcess.start(name, tmp, Map.of(), "--json", "--name", name, "--data",
        tmp.resolve(name).toString(), "--listen", "/ip4/127.0.0.1/tcp/" + port, "--jitter-ms",
        "0");
    processes.add(p);
    return p;
  }

  @Test
  void ownerKilled_adminInvitesNewcomer_newcomerJoins_everyoneChats() throws Exception {
    ChatProcess alice = chat("alice");
    ChatProcess bob = chat("bob");
    ChatProcess carol = chat("carol");
    String bobId = bob.peerId();
    alice.send("/space Team");
    alice.awaitEvent("entered");
    alice.send("/invite");
    bob.send("/join " + alice.awaitEvent("invite").path("code").asText());
    bob.awaitEvent("entered");
    alice.send("/role " + bobId + " admin");
    alice.awaitEvent("role");
    Thread.sleep(2000);

    alice.kill();
    String code = null;
    for (int i = 0; i < 30 && code == null; i++) {
      int before = bob.lines().size();
      bob.send("/invite");
      Thread.sleep(1000);
      List<String> lines = bob.lines();
      for (String l : lines.subList(before, lines.size())) {
        if (l.contains("\"event\":\"invite\"")) {
          code = new com.fasterxml.jackson.databind.ObjectMapper().readTree(l).path("code")
              .asText();
        }
      }
    }
    if (code == null) {
      throw new AssertionError("bob, an admin, could not invite with the owner gone:\n"
          + String.join("\n", bob.lines()) + "\n" + bob.stderr());
    }
    carol.send("/join " + code);
    carol.awaitEvent("entered");
    carol.send("hello from carol");
    JsonNode atBob = bob.awaitEvent("message",
        n -> n.path("text").asText().equals("hello from carol"));
    assertEquals("hello from carol", atBob.path("text").asText());
    bob.send("hi carol");
    JsonNode atCarol = carol.awaitEvent("message",
        n -> n.path("text").asText().equals("hi carol"));
    assertEquals("hi carol", atCarol.path("text").asText());
  }
}
