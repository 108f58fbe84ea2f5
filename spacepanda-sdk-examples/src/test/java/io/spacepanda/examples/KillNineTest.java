package io.spacepanda.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 of both ends in the middle of a burst, as separate JVMs over TCP on 127.0.0.1 with
 * SQLite and a passphrase: after both restart, every message whose send completed (the sender
 * printed it as sent) is in the receiver's history exactly once, and nothing is duplicated.
 * {@code -Dspacepanda.burst=10000} runs the full burst (default 2,000 to keep the suite
 * short).
 */
class KillNineTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final List<ChatProcess> processes = new ArrayList<>();

  @TempDir
  Path tmp;

  @AfterEach
  void destroyProcesses() {
    processes.forEach(ChatProcess::close);
  }

  private ChatProcess chat(String name, int port) throws IOException {
    ChatProcess p = ChatProcess.start(name, tmp, Map.of("SP_PASS", "correct horse " + name),
        "--json", "--name", name, "--data", tmp.resolve(name).toString(), "--listen",
        "/ip4/127.0.0.1/tcp/" + port, "--passphrase-env", "SP_PASS", "--jitter-ms", "0");
    processes.add(p);
    return p;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static Set<String> sentTexts(ChatProcess p) {
    Set<String> out = new HashSet<>();
    for (String line : p.lines()) {
      if (line.startsWith("{") && line.contains("\"event\":\"sent\"")) {
        try {
          out.add(JSON.readTree(line).path("text").asText());
        } catch (IOException e) {
          throw new AssertionError(e);
        }
      }
    }
    return out;
  }

  @Test
  void killBothEndsMidBurst_restart_everyCompletedSendArrivesOnce() throws Exception {
    int burst = Integer.getInteger("spacepanda.burst", 2000);
    int alicePort = freePort();
    int bobPort = freePort();
    ChatProcess alice = chat("alice", alicePort);
    ChatProcess bob = chat("bob", bobPort);
    alice.send("/space Team");
    alice.awaitEvent("entered");
    alice.send("/invite");
    String code = alice.awaitEvent("invite").path("code").asText();
    bob.send("/join " + code);
    bob.awaitEvent("entered");

    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < burst; i++) {
      lines.append("k").append(i).append('\n');
    }
    alice.send(lines.substring(0, lines.length() - 1));
    awaitSent(alice, burst / 4);
    bob.kill();
    awaitSent(alice, burst / 2);
    alice.kill();
    Set<String> completed = sentTexts(alice);
    assertTrue(completed.size() >= burst / 2 && completed.size() < burst,
        "killed mid-burst: " + completed.size() + " of " + burst);

    ChatProcess bob2 = chat("bob", bobPort);
    ChatProcess alice2 = chat("alice", alicePort);
    bob2.awaitEvent("entered");
    alice2.awaitEvent("entered");

    Map<String, Integer> got = new HashMap<>();
    long deadline = System.nanoTime() + 150_000_000_000L;
    while (System.nanoTime() < deadline) {
      int before = bob2.lines().size();
      bob2.send("/history 10000");
      JsonNode h = nextEvent(bob2, "history", before);
      got.clear();
      for (JsonNode m : h.path("messages")) {
        got.merge(m.path("text").asText(), 1, Integer::sum);
      }
      if (got.keySet().containsAll(completed)) {
        break;
      }
      Thread.sleep(2000);
    }
    Set<String> missing = new HashSet<>(completed);
    missing.removeAll(got.keySet());
    if (!missing.isEmpty()) {
      List<String> tail = alice2.lines();
      List<String> bobTail = bob2.lines();
      System.out.println("alice2 stdout tail:\n" + String.join("\n",
          tail.subList(Math.max(0, tail.size() - 15), tail.size())) + "\nalice2 stderr:\n"
          + alice2.stderr() + "\nbob2 stdout head:\n" + String.join("\n",
          bobTail.subList(0, Math.min(25, bobTail.size()))) + "\nbob2 stderr:\n" + bob2.stderr());
    }
    assertEquals(Set.of(), missing, "lost: " + missing.size() + " of " + completed.size());
    got.forEach((text, n) -> assertEquals(1, n, "duplicated: " + text));
  }

  /** Waits until the process printed at least {@code n} sent events (bounded: 120 s). */
  private static void awaitSent(ChatProcess p, int n) throws InterruptedException {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (sentCount(p) < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + sentCount(p) + " of " + n + " sends completed");
      }
      Thread.sleep(20);
    }
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

  private static int sentCount(ChatProcess p) {
    int n = 0;
    for (String line : p.lines()) {
      if (line.contains("\"event\":\"sent\"")) {
        n++;
      }
    }
    return n;
  }
}
