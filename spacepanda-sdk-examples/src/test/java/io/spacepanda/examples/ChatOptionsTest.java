package io.spacepanda.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.Jitter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatOptionsTest {

  @TempDir
  Path tmp;

  @Test
  void parse_nothing_givesTheDefaults() throws Exception {
    ChatOptions o = ChatOptions.parse(new String[0]);
    assertNull(o.data);
    assertEquals(List.of(ChatOptions.DEFAULT_LISTEN), o.listen);
    assertEquals(List.of(), o.bootstrap);
    assertEquals(Jitter.none(), o.jitter());
    assertFalse(o.json);
  }

  @Test
  void parse_repeatedListenAndEqualsForm_keepsEveryAddress() throws Exception {
    ChatOptions o = ChatOptions.parse(new String[] {"--listen", "/ip4/127.0.0.1/tcp/1",
        "--listen=/ip4/127.0.0.1/tcp/2", "--jitter-ms=1500", "--json"});
    assertEquals(List.of("/ip4/127.0.0.1/tcp/1", "/ip4/127.0.0.1/tcp/2"), o.listen);
    assertEquals(Jitter.uniform(Duration.ofMillis(1500)), o.jitter());
    assertTrue(o.json);
  }

  @Test
  void parse_config_flagsOverrideKeysAndReplaceLists() throws Exception {
    Path file = tmp.resolve("c.json");
    Files.writeString(file, "{\"name\":\"file\",\"listen\":[\"/ip4/127.0.0.1/tcp/7\"],"
        + "\"bootstrap\":[\"/ip4/127.0.0.1/tcp/8/p2p/x\"],\"jitterMs\":250,\"json\":true,"
        + "\"passphraseEnv\":\"P\",\"data\":\"d\"}");
    ChatOptions o = ChatOptions.parse(new String[] {"--config", file.toString(), "--name", "flag",
        "--listen", "/ip4/127.0.0.1/tcp/9"});
    assertEquals("flag", o.name);
    assertEquals(List.of("/ip4/127.0.0.1/tcp/9"), o.listen);
    assertEquals(List.of("/ip4/127.0.0.1/tcp/8/p2p/x"), o.bootstrap);
    assertEquals(250, o.jitterMs);
    assertTrue(o.json);
    assertEquals("P", o.passphraseEnv);
    assertEquals(Path.of("d"), o.data);
  }

  @Test
  void parse_badInput_failsNamingIt() {
    assertMessage("unknown option --nope", "--nope");
    assertMessage("--data needs a value", "--data");
    assertMessage("--name given twice", "--name", "a", "--name", "b");
    assertMessage("--jitter-ms must be a whole number", "--jitter-ms", "soon");
    assertMessage("--jitter-ms must be 0 to 86400000", "--jitter-ms", "86400001");
    assertMessage("unexpected argument 'alice'", "alice");
    assertMessage("--json takes no value", "--json=yes");
  }

  @Test
  void parse_badConfig_failsNamingTheKey() throws Exception {
    Path file = tmp.resolve("c.json");
    Files.writeString(file, "{\"listen\":\"/ip4/127.0.0.1/tcp/1\"}");
    assertMessage("\"listen\" must be an array of strings", "--config", file.toString());
    Files.writeString(file, "{\"jitterMs\":1.5}");
    assertMessage("\"jitterMs\" must be a whole number", "--config", file.toString());
    Files.writeString(file, "[1]");
    assertMessage("must hold a JSON object", "--config", file.toString());
    Files.writeString(file, "{");
    assertMessage("is not valid JSON", "--config", file.toString());
    assertMessage("cannot read config", "--config", tmp.resolve("missing.json").toString());
  }

  private static void assertMessage(String expected, String... args) {
    ChatOptions.UsageException e =
        assertThrows(ChatOptions.UsageException.class, () -> ChatOptions.parse(args));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
