package io.spacepanda.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the chat CLI as separate JVMs talking over TCP on 127.0.0.1, driven through their standard
 * input and read from their standard output, the way a script uses it.
 */
class ChatTest {

  private static final String PASSPHRASE_VAR = "SPACEPANDA_CHAT_TEST_PASSPHRASE";

  private final List<ChatProcess> processes = new ArrayList<>();

  @TempDir
  Path tmp;

  @AfterEach
  void destroyProcesses() {
    processes.forEach(ChatProcess::close);
  }

  @Test
  void twoProcesses_json_exchangeMessagesBothWays() throws Exception {
    ChatProcess alice = chat("alice", Map.of(), "--json", "--name", "alice");
    ChatProcess bob = chat("bob", Map.of(), "--json", "--name", "bob");
    String aliceId = alice.peerId();
    String bobId = bob.peerId();
    assertEquals("alice", alice.awaitEvent("listening").path("self").asText());

    String code = createSpaceAndInvite(alice, "Team");
    bob.send("/join " + code);
    assertEquals("general", bob.awaitEvent("entered").path("channel").asText());

    bob.send("hello alice");
    JsonNode got = alice.awaitEvent("message", m -> m.path("text").asText().equals("hello alice"));
    assertEquals(bobId, got.path("sender").asText());
    assertEquals("general", got.path("channel").asText());
    assertEquals("Team", got.path("space").asText());

    alice.send("hello bob");
    JsonNode back = bob.awaitEvent("message", m -> m.path("text").asText().equals("hello bob"));
    assertEquals(aliceId, back.path("sender").asText());

    JsonNode started = alice.awaitEvent("started");
    assertTrue(started.path("temporary").asBoolean());
    Path aliceData = Path.of(started.path("data").asText());
    assertTrue(Files.isDirectory(aliceData));
    alice.send("/quit");
    assertEquals(0, alice.awaitExit());
    assertFalse(Files.exists(aliceData), "the temporary data directory is deleted at exit");
  }

  @Test
  void twoProcesses_text_eachSeesTheOthersLine() throws Exception {
    ChatProcess alice = chat("alice", Map.of(), "--name", "alice");
    ChatProcess bob = chat("bob", Map.of(), "--name", "bob");
    String aliceId = alice.peerId();
    String bobId = bob.peerId();

    alice.send("/space Team");
    alice.awaitLine("the entered line", l -> l.equals("* now in #general of Team"));
    alice.send("/invite");
    String code = alice.awaitLine("an invite", l -> l.startsWith("invite ")).substring(7);
    bob.send("/join " + code);
    bob.awaitLine("the entered line", l -> l.equals("* now in #general of Team"));

    bob.send("hi from bob");
    alice.awaitLine("bob's message", l -> l.equals("#general " + bobId + ": hi from bob"));
    alice.send("hi from alice");
    bob.awaitLine("alice's message", l -> l.equals("#general " + aliceId + ": hi from alice"));

    bob.send("/members");
    bob.awaitLine("alice as owner", l -> l.contains(aliceId + " owner"));
    bob.send("/peers");
    bob.awaitLine("alice among the peers", l -> l.equals("*   " + aliceId));
    bob.send("/nonsense");
    bob.awaitLine("an error", l -> l.startsWith("error: unknown command /nonsense"));

    bob.closeInput();
    assertEquals(0, bob.awaitExit(), "end of input quits with 0");
  }

  @Test
  void threeProcesses_channelCreatedByOwnerReachesEveryone() throws Exception {
    ChatProcess alice = chat("alice", Map.of(), "--json", "--name", "alice");
    ChatProcess bob = chat("bob", Map.of(), "--json", "--name", "bob");
    ChatProcess carol = chat("carol", Map.of(), "--name", "carol");
    String aliceId = alice.peerId();
    String carolId = carol.peerId();

    String bobCode = createSpaceAndInvite(alice, "Team");
    alice.send("/invite");
    String carolCode = alice.awaitEvent("invite", n -> !n.path("code").asText().equals(bobCode))
        .path("code").asText();
    bob.send("/join " + bobCode);
    carol.send("/join " + carolCode);
    bob.awaitEvent("entered");
    carol.awaitLine("the entered line", l -> l.equals("* now in #general of Team"));

    alice.send("/channel random");
    assertEquals("random", alice.awaitEvent("entered", n -> n.path("channel").asText()
        .equals("random")).path("channel").asText());
    bob.awaitEvent("channelCreated", n -> n.path("channel").asText().equals("random"));
    carol.awaitLine("the new channel", l -> l.equals("* you are a member of #random in Team"));

    alice.send("welcome to random");
    bob.awaitEvent("message", n -> n.path("channel").asText().equals("random")
        && n.path("text").asText().equals("welcome to random")
        && n.path("sender").asText().equals(aliceId));
    carol.awaitLine("alice's message", l -> l.equals("#random " + aliceId + ": welcome to random"));

    carol.send("hi all");
    alice.awaitEvent("message", n -> n.path("channel").asText().equals("general")
        && n.path("text").asText().equals("hi all") && n.path("sender").asText().equals(carolId));
    bob.awaitEvent("message", n -> n.path("text").asText().equals("hi all"));
  }

  @Test
  void configFile_givesTheSettings_andFlagsOverrideIt() throws Exception {
    Path config = tmp.resolve("chat.json");
    Files.writeString(config, """
        {"name": "from-file", "json": true, "listen": ["/ip4/127.0.0.1/tcp/0"], "jitterMs": 0,
         "data": "%s"}
        """.formatted(tmp.resolve("data").toString().replace("\\", "\\\\")));
    ChatProcess chat = chat("config", Map.of(), "--config", config.toString(), "--name", "flag");

    JsonNode listening = chat.awaitEvent("listening");
    assertEquals("flag", listening.path("self").asText(), "--name overrides the file");
    assertTrue(listening.path("address").asText().startsWith("/ip4/127.0.0.1/tcp/"));
    assertEquals(tmp.resolve("data").toString(), chat.awaitEvent("started").path("data").asText());
    chat.send("/quit");
    assertEquals(0, chat.awaitExit());
    assertTrue(Files.isDirectory(tmp.resolve("data")), "the data directory from the file is kept");
  }

  @Test
  void configFile_unknownKey_exits2() throws Exception {
    Path config = tmp.resolve("chat.json");
    Files.writeString(config, "{\"nmae\": \"alice\"}");
    ChatProcess chat = chat("config", Map.of(), "--config", config.toString());
    assertEquals(2, chat.awaitExit());
    assertTrue(chat.stderr().contains("unknown key \"nmae\""), chat.stderr());
  }

  @Test
  void badFlag_exits2WithAMessage() throws Exception {
    ChatProcess chat = chat("bad", Map.of(), "--jitter-ms", "-5");
    assertEquals(2, chat.awaitExit());
    assertTrue(chat.stderr().contains("--jitter-ms must be 0 to"), chat.stderr());

    ChatProcess unknown = chat("unknown", Map.of(), "--colour");
    assertEquals(2, unknown.awaitExit());
    assertTrue(unknown.stderr().contains("unknown option --colour"), unknown.stderr());
  }

  @Test
  void passphraseEnv_unset_exits2() throws Exception {
    ChatProcess chat = chat("nopass", Map.of(), "--passphrase-env", "SPACEPANDA_CHAT_TEST_UNSET");
    assertEquals(2, chat.awaitExit());
    assertTrue(chat.stderr().contains("SPACEPANDA_CHAT_TEST_UNSET is not set"), chat.stderr());
  }

  @Test
  void passphraseEnv_restartedProcess_readsItsHistory() throws Exception {
    Map<String, String> env = Map.of(PASSPHRASE_VAR, "correct horse battery staple");
    String[] aliceArgs = {"--json", "--data", tmp.resolve("alice").toString(),
        "--passphrase-env", PASSPHRASE_VAR};
    String[] bobArgs = {"--json", "--data", tmp.resolve("bob").toString(),
        "--passphrase-env", PASSPHRASE_VAR};
    ChatProcess alice = chat("alice", env, aliceArgs);
    ChatProcess bob = chat("bob", env, bobArgs);
    String aliceId = alice.peerId();
    String bobId = bob.peerId();

    String code = createSpaceAndInvite(alice, "Team");
    bob.send("/join " + code);
    bob.awaitEvent("entered");
    bob.send("before the restart");
    alice.awaitEvent("message", n -> n.path("text").asText().equals("before the restart"));
    alice.send("seen it");
    bob.awaitEvent("message", n -> n.path("text").asText().equals("seen it"));
    bob.send("/quit");
    assertEquals(0, bob.awaitExit());

    ChatProcess again = chat("bob-again", env, bobArgs);
    assertEquals(bobId, again.peerId(), "the identity comes back from the data directory");
    assertEquals("general", again.awaitEvent("entered").path("channel").asText());
    again.send("/history");
    JsonNode history = again.awaitEvent("history");
    List<String> texts = new ArrayList<>();
    history.path("messages").forEach(m -> texts.add(m.path("sender").asText().equals(aliceId)
        ? "alice: " + m.path("text").asText() : "bob: " + m.path("text").asText()));
    assertEquals(List.of("bob: before the restart", "alice: seen it"), texts);
  }

  /**
   * Issue 11 from the command line: the owner hands the space to a member ({@code /owner}) and
   * becomes an admin, the new owner removes a member ({@code /remove}) and then leaves ({@code
   * /leave}); the remaining admin is told that the admins now manage the space.
   */
  @Test
  void threeProcesses_ownerHandsOver_removes_andLeaves() throws Exception {
    ChatProcess alice = chat("alice", Map.of(), "--json", "--name", "alice");
    ChatProcess bob = chat("bob", Map.of(), "--json", "--name", "bob");
    ChatProcess carol = chat("carol", Map.of(), "--json", "--name", "carol");
    String bobId = bob.peerId();
    String carolId = carol.peerId();
    String bobCode = createSpaceAndInvite(alice, "Team");
    alice.send("/invite");
    String carolCode = alice.awaitEvent("invite", n -> !n.path("code").asText().equals(bobCode))
        .path("code").asText();
    bob.send("/join " + bobCode);
    carol.send("/join " + carolCode);
    bob.awaitEvent("entered");
    carol.awaitEvent("entered");

    alice.send("/owner " + bobId);
    assertEquals(bobId, alice.awaitEvent("owner").path("peer").asText());
    boolean bobOwns = false;
    for (int i = 0; i < 60 && !bobOwns; i++) {
      int before = bob.lines().size();
      bob.send("/spaces");
      JsonNode spaces = bob.awaitEvent("spaces", n -> true, before);
      bobOwns = spaces.path("spaces").path(0).path("owner").asText().equals(bobId);
      if (!bobOwns) {
        Thread.sleep(500);
      }
    }
    assertTrue(bobOwns, "bob learned that he owns the space:\n" + String.join("\n", bob.lines()));

    bob.send("/remove " + carolId);
    bob.awaitEvent("removing");
    carol.awaitEvent("memberRemoved", n -> n.path("member").asText().equals(carolId));

    bob.send("/leave");
    bob.awaitEvent("left");
    assertEquals("admins_only", alice.awaitEvent("governance").path("governance").asText());
    int before = alice.lines().size();
    alice.send("/spaces");
    assertEquals("admins_only", alice.awaitEvent("spaces", n -> true, before).path("spaces")
        .path(0).path("governance").asText());
  }

  private String createSpaceAndInvite(ChatProcess owner, String space) throws Exception {
    owner.send("/space " + space);
    JsonNode created = owner.awaitEvent("space");
    assertEquals(space, created.path("name").asText());
    assertEquals("general", owner.awaitEvent("entered").path("channel").asText());
    owner.send("/invite");
    return owner.awaitEvent("invite").path("code").asText();
  }

  private ChatProcess chat(String name, Map<String, String> env, String... args)
      throws IOException {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--jitter-ms", "0"));
    if (List.of(args).contains("--jitter-ms")) {
      all = List.of(args);
    }
    Path processTmp = Files.createDirectories(tmp.resolve("java-tmp"));
    ChatProcess p = ChatProcess.start(name, processTmp, env, all.toArray(String[]::new));
    processes.add(p);
    return p;
  }
}
