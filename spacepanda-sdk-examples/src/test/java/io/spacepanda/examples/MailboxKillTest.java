package io.spacepanda.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * A recipient offline, then its sender offline, with the other members online and one of them
 * killed on the way: separate JVMs over TCP on 127.0.0.1 with SQLite. Bob is killed; alice sends
 * {@code spacepanda.mailbox.messages} messages (default 1,000), which carol and dave keep for bob
 * (mailboxes) and hold as members; then alice and carol are killed with {@code kill -9}, and bob
 * restarts: he gets every message once, in alice's order, from dave alone.
 */
class MailboxKillTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final List<ChatProcess> processes = new ArrayList<>();

  @TempDir
  Path tmp;

  @AfterEach
  void destroyProcesses() {
    processes.forEach(ChatProcess::close);
  }

  private ChatProcess chat(String name, int port) throws IOException {
    ChatProcess p = ChatProcess.start(name, tmp, Map.of(), "--json", "--name", name, "--data",
        tmp.resolve(name).toString(), "--listen", "/ip4/127.0.0.1/tcp/" + port, "--jitter-ms",
        "0");
    processes.add(p);
    return p;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void recipientThenSenderOffline_holderKilled_recipientGetsEverythingInOrder() throws Exception {
    int n = Integer.getInteger("spacepanda.mailbox.messages", 1000);
    ChatProcess alice = chat("alice", freePort());
    int bobPort = freePort();
    ChatProcess bob = chat("bob", bobPort);
    ChatProcess carol = chat("carol", freePort());
    ChatProcess dave = chat("dave", freePort());
    alice.send("/space Team");
    alice.awaitEvent("entered");
    for (ChatProcess p : List.of(bob, carol, dave)) {
      int before = alice.lines().size();
      alice.send("/invite");
      String code = nextEvent(alice, "invite", before).path("code").asText();
      p.send("/join " + code);
      p.awaitEvent("entered");
    }
    // Every member in general before bob goes away.
    awaitMembers(alice, 4);

    bob.kill();
    StringBuilder lines = new StringBuilder();
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      texts.add("mb" + i);
      lines.append("mb").append(i).append('\n');
    }
    alice.send(lines.substring(0, lines.length() - 1));
    awaitCount(alice, "sent", n);
    // dave holds every message as a member; the mailbox deposits follow the failed copies to bob.
    awaitCount(dave, "message", n);
    Thread.sleep(3000);
    alice.kill();
    carol.kill();

    ChatProcess bob2 = chat("bob", bobPort);
    bob2.awaitEvent("entered");
    List<String> got = List.of();
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      int before = bob2.lines().size();
      bob2.send("/history " + (n + 10));
      JsonNode h = nextEvent(bob2, "history", before);
      List<String> now = new ArrayList<>();
      for (JsonNode m : h.path("messages")) {
        now.add(m.path("text").asText());
      }
      got = now;
      if (got.size() >= n) {
        break;
      }
      Thread.sleep(1000);
    }
    assertEquals(texts, got, "bob got " + got.size() + " of " + n);
  }

  private static void awaitMembers(ChatProcess p, int count) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      int before = p.lines().size();
      p.send("/members");
      JsonNode m = nextEvent(p, "members", before);
      if (m.path("members").size() >= count) {
        return;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("fewer than " + count + " members within 60 s");
  }

  /** Waits until the process printed at least {@code n} events of a type (bounded: 120 s). */
  private static void awaitCount(ChatProcess p, String event, int n) throws InterruptedException {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (count(p, event) < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + count(p, event) + " of " + n + " " + event);
      }
      Thread.sleep(50);
    }
  }

  private static int count(ChatProcess p, String event) {
    int c = 0;
    for (String line : p.lines()) {
      if (line.contains("\"event\":\"" + event + "\"")) {
        c++;
      }
    }
    return c;
  }

  /** Waits for the first event of a type printed after line {@code after} (bounded: 60 s). */
  private static JsonNode nextEvent(ChatProcess p, String event, int after) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      List<String> lines = p.lines();
      for (int i = after; i < lines.size(); i++) {
        String l = lines.get(i);
        if (l.startsWith("{") && l.contains("\"event\":\"" + event + "\"")) {
          return JSON.readTree(l);
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no " + event + " event within 60 s");
  }
}
