package io.spacepanda.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spacepanda.Jitter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The settings of one {@link Chat} run, read from the command line and an optional JSON file.
 *
 * <p>Flags and file keys mirror each other ({@code --jitter-ms} is {@code jitterMs}); a flag given
 * on the command line overrides the file's key, and a repeatable flag ({@code --listen}, {@code
 * --bootstrap}) given at least once replaces the file's whole list. Immutable once parsed.
 */
final class ChatOptions {

  /** The listen address used when neither flags nor file name one: loopback, a free port. */
  static final String DEFAULT_LISTEN = "/ip4/127.0.0.1/tcp/0";

  static final String USAGE = String.join("\n",
      "Usage: Chat [options]",
      "",
      "An interactive SpacePanda chat node. Commands are read from standard input, one per line;",
      "any line that is not a command is sent to the current channel.",
      "",
      "Options:",
      "  --data DIR              SQLite data directory (default: a temporary one, deleted at exit)",
      "  --listen MULTIADDR      address to listen on, repeatable",
      "                          (default " + DEFAULT_LISTEN + ");",
      "                          use /ip4/0.0.0.0/tcp/4001 to be reachable from other machines",
      "  --bootstrap MULTIADDR   peer to connect to at start, ending in /p2p/<peer id>; repeatable",
      "  --name NAME             your display name for the prompt and the JSON \"self\" field",
      "                          (local only: the SDK has no profile names; others see your",
      "                          peer id)",
      "  --passphrase-env VAR    encrypt the data directory's keys with the passphrase held in",
      "                          environment variable VAR (an error if VAR is unset or empty)",
      "  --jitter-ms MS          delay each copy of a message by a random 0..MS ms (default 0",
      "                          here; the SDK's default is 30000: each copy, one per member,",
      "                          waits its own random delay up to 30 s, so messages, joins and",
      "                          new channels reach the others up to that much later, in return",
      "                          for hiding from the network which copies belong together)",
      "  --config FILE           read these settings from a JSON object with the keys data,",
      "                          listen (array), bootstrap (array), name, passphraseEnv, jitterMs,",
      "                          json; flags on the command line override the file",
      "  --json                  print every event as one JSON object per line, for scripts",
      "  --help                  print this help and exit",
      "",
      "Commands:",
      "  /space NAME       create a space and enter its channel #general",
      "  /invite           print a one-time invite code for the current space (owner, admins)",
      "  /role PEER ROLE   make a member of the current space admin or member (owner, admins)",
      "  /owner PEER       make a member the owner of the current space; you become admin (owner)",
      "  /remove PEER      remove a member from the current space (owner, admins)",
      "  /leave            leave the current space (the owner too: the admins then manage it)",
      "  /join CODE        join a space with an invite code (the inviter must be online)",
      "  /enter SPACE      enter a space you are a member of (by name or id) at #general",
      "  /channel NAME     enter the channel NAME of the current space, creating it if needed",
      "  /channels         list the channels of the current space",
      "  /spaces           list your spaces, with who manages each",
      "  /members          list the members of the current channel with their space roles",
      "  /history [N]      print the last N messages of the current channel (default 20)",
      "  /peers            list the peers this node is connected to",
      "  /help             list the commands",
      "  /quit             close the node and exit (end of input does the same)");

  private static final ObjectMapper JSON = new ObjectMapper();

  final Path data;
  final List<String> listen;
  final List<String> bootstrap;
  final String name;
  final String passphraseEnv;
  final long jitterMs;
  final boolean json;
  final boolean help;

  private ChatOptions(Settings s) {
    data = s.data == null ? null : Path.of(s.data);
    listen = s.listen.isEmpty() ? List.of(DEFAULT_LISTEN) : List.copyOf(s.listen);
    bootstrap = List.copyOf(s.bootstrap);
    name = s.name;
    passphraseEnv = s.passphraseEnv;
    jitterMs = s.jitterMs == null ? 0 : s.jitterMs;
    json = Boolean.TRUE.equals(s.json);
    help = s.help;
  }

  /**
   * Parses the command line, reading the {@code --config} file if one is named.
   *
   * @param args the command-line arguments
   * @return the options
   * @throws UsageException naming the flag, key or value at fault
   */
  static ChatOptions parse(String[] args) throws UsageException {
    Settings flags = new Settings();
    String config = null;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        value = arg.substring(eq + 1);
        arg = arg.substring(0, eq);
      }
      switch (arg) {
        case "--help", "-h" -> flags.help = true;
        case "--json" -> {
          if (value != null) {
            throw new UsageException("--json takes no value");
          }
          flags.json = once("--json", flags.json, true);
        }
        case "--data", "--listen", "--bootstrap", "--name", "--passphrase-env", "--jitter-ms",
            "--config" -> {
          if (value == null) {
            if (i + 1 >= args.length) {
              throw new UsageException(arg + " needs a value");
            }
            value = args[++i];
          }
          switch (arg) {
            case "--data" -> flags.data = once(arg, flags.data, nonBlank(arg, value));
            case "--listen" -> flags.listen.add(nonBlank(arg, value));
            case "--bootstrap" -> flags.bootstrap.add(nonBlank(arg, value));
            case "--name" -> flags.name = once(arg, flags.name, nonBlank(arg, value));
            case "--passphrase-env" ->
                flags.passphraseEnv = once(arg, flags.passphraseEnv, nonBlank(arg, value));
            case "--jitter-ms" -> flags.jitterMs = once(arg, flags.jitterMs, jitter(arg, value));
            default -> config = once(arg, config, nonBlank(arg, value));
          }
        }
        default -> throw new UsageException(arg.startsWith("-")
            ? "unknown option " + arg : "unexpected argument '" + arg + "'");
      }
    }
    Settings merged = config == null ? flags : readConfig(Path.of(config)).overriddenBy(flags);
    return new ChatOptions(merged);
  }

  /**
   * Returns the jitter these options ask for.
   *
   * @return {@link Jitter#none()} for 0 ms, else a uniform jitter
   */
  Jitter jitter() {
    return jitterMs == 0 ? Jitter.none() : Jitter.uniform(Duration.ofMillis(jitterMs));
  }

  private static Settings readConfig(Path file) throws UsageException {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readString(file));
    } catch (JsonProcessingException e) {
      throw new UsageException("config " + file + " is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UsageException("cannot read config " + file + ": " + e);
    }
    if (root == null || !root.isObject()) {
      throw new UsageException("config " + file + " must hold a JSON object");
    }
    Settings s = new Settings();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      JsonNode v = e.getValue();
      String where = "config " + file + ": \"" + key + "\"";
      switch (key) {
        case "data" -> s.data = nonBlank(where, text(where, v));
        case "listen" -> s.listen.addAll(texts(where, v));
        case "bootstrap" -> s.bootstrap.addAll(texts(where, v));
        case "name" -> s.name = nonBlank(where, text(where, v));
        case "passphraseEnv" -> s.passphraseEnv = nonBlank(where, text(where, v));
        case "jitterMs" -> {
          if (!v.isIntegralNumber()) {
            throw new UsageException(where + " must be a whole number of milliseconds: " + v);
          }
          s.jitterMs = jitter(where, v.asText());
        }
        case "json" -> {
          if (!v.isBoolean()) {
            throw new UsageException(where + " must be true or false: " + v);
          }
          s.json = v.booleanValue();
        }
        default -> throw new UsageException("config " + file + ": unknown key \"" + key
            + "\" (known: data, listen, bootstrap, name, passphraseEnv, jitterMs, json)");
      }
    }
    return s;
  }

  private static String text(String where, JsonNode v) throws UsageException {
    if (!v.isTextual()) {
      throw new UsageException(where + " must be a string: " + v);
    }
    return v.textValue();
  }

  private static List<String> texts(String where, JsonNode v) throws UsageException {
    if (!v.isArray()) {
      throw new UsageException(where + " must be an array of strings: " + v);
    }
    List<String> out = new ArrayList<>();
    for (JsonNode item : v) {
      out.add(nonBlank(where, text(where, item)));
    }
    return out;
  }

  private static long jitter(String where, String value) throws UsageException {
    long ms;
    try {
      ms = Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw new UsageException(where + " must be a whole number of milliseconds: '" + value + "'");
    }
    if (ms < 0 || ms > Jitter.MAX_DELAY.toMillis()) {
      throw new UsageException(where + " must be 0 to " + Jitter.MAX_DELAY.toMillis() + ": " + ms);
    }
    return ms;
  }

  private static String nonBlank(String where, String value) throws UsageException {
    if (value.isBlank()) {
      throw new UsageException(where + " must not be empty");
    }
    return value;
  }

  private static <T> T once(String flag, T earlier, T value) throws UsageException {
    if (earlier != null) {
      throw new UsageException(flag + " given twice (first " + earlier + ")");
    }
    return value;
  }

  /** The settings from one source, each null or empty where that source does not set it. */
  private static final class Settings {
    String data;
    final List<String> listen = new ArrayList<>();
    final List<String> bootstrap = new ArrayList<>();
    String name;
    String passphraseEnv;
    Long jitterMs;
    Boolean json;
    boolean help;

    Settings overriddenBy(Settings top) {
      Settings s = new Settings();
      s.data = top.data != null ? top.data : data;
      s.listen.addAll(top.listen.isEmpty() ? listen : top.listen);
      s.bootstrap.addAll(top.bootstrap.isEmpty() ? bootstrap : top.bootstrap);
      s.name = top.name != null ? top.name : name;
      s.passphraseEnv = top.passphraseEnv != null ? top.passphraseEnv : passphraseEnv;
      s.jitterMs = top.jitterMs != null ? top.jitterMs : jitterMs;
      s.json = top.json != null ? top.json : json;
      s.help = top.help;
      return s;
    }
  }

  /** A command line or config file the chat cannot run with; the message says what is wrong. */
  static final class UsageException extends Exception {
    UsageException(String message) {
      super(message);
    }
  }
}
