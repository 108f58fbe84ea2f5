package io.spacepanda.examples;

import io.spacepanda.Channel;
import io.spacepanda.Message;
import io.spacepanda.MessageId;
import io.spacepanda.PeerId;
import io.spacepanda.Role;
import io.spacepanda.Space;
import io.spacepanda.SpaceGovernance;
import io.spacepanda.SpacePanda;
import io.spacepanda.SpacePandaListener;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * An interactive chat on a SpacePanda node, for a terminal or for scripts.
 *
 * <p>Starts one node, prints the addresses it listens on, then reads commands ({@code /space},
 * {@code /invite}, {@code /join}, {@code /channel} and more; {@code --help} lists them) and text
 * to send from standard input, one line at a time, and prints what happens: messages as {@code
 * #channel sender: text}, other events as lines starting with {@code * }, or everything as one
 * JSON object per line with {@code --json}. On a terminal, input has line editing and history
 * (JLine) and incoming lines appear above the prompt; from a pipe, input is read as plain lines and
 * output is flushed line by line. A failing command prints {@code error: …} and the chat goes on.
 * It uses the SDK's public API only.
 *
 * <p>Exit codes: 0 after {@code /quit} or the end of input, 1 if the node cannot start, 2 for bad
 * options.
 *
 * <p>Threading: commands run one at a time on the main thread, which waits for each command's
 * future (at most {@value #COMMAND_TIMEOUT_SECONDS} s); the node's listener events print from the
 * node's listener thread.
 */
public final class Chat {

  /** How long a command waits for the node before it reports an error. */
  static final int COMMAND_TIMEOUT_SECONDS = 60;

  private static final int DEFAULT_HISTORY = 20;
  private static final int MAX_HISTORY = 10_000;

  private final ChatOptions options;
  private final ChatConsole console;
  private final ChatOutput out;
  private final Set<PeerId> peers = ConcurrentHashMap.newKeySet();
  private SpacePanda node;
  private Space currentSpace;
  private Channel currentChannel;

  private Chat(ChatOptions options, ChatConsole console) {
    this.options = options;
    this.console = console;
    this.out = new ChatOutput(options.json, console::println);
  }

  /**
   * Runs the chat until {@code /quit} or the end of input, then exits the JVM with the status
   * described in the class comment.
   *
   * @param args the options; {@code --help} lists them
   */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /**
   * Runs the chat until {@code /quit} or the end of input, without exiting the JVM.
   *
   * @param args the options; {@code --help} lists them
   * @return the exit status: 0 done, 1 the node could not start, 2 bad options
   */
  public static int run(String[] args) {
    PrintStream err = System.err;
    ChatOptions options;
    char[] passphrase = null;
    try {
      options = ChatOptions.parse(args);
      if (options.help) {
        System.out.println(ChatOptions.USAGE);
        System.out.flush();
        return 0;
      }
      if (options.passphraseEnv != null) {
        String value = System.getenv(options.passphraseEnv);
        if (value == null || value.isEmpty()) {
          throw new ChatOptions.UsageException("--passphrase-env: environment variable "
              + options.passphraseEnv + " is " + (value == null ? "not set" : "empty"));
        }
        passphrase = value.toCharArray();
      }
    } catch (ChatOptions.UsageException e) {
      err.println("chat: " + e.getMessage());
      err.println("Run with --help for the options.");
      return 2;
    }
    try (ChatConsole console = ChatConsole.open()) {
      return new Chat(options, console).start(passphrase);
    } catch (IOException e) {
      err.println("chat: cannot open the terminal: " + e.getMessage());
      return 1;
    }
  }

  private int start(char[] passphrase) {
    Path dataDir = options.data;
    boolean temporary = dataDir == null;
    try {
      if (temporary) {
        dataDir = Files.createTempDirectory("spacepanda-chat-");
      }
    } catch (IOException e) {
      System.err.println("chat: cannot create a temporary data directory: " + e.getMessage());
      return 1;
    }
    SpacePanda.Builder builder = SpacePanda.builder()
        .dataDir(dataDir)
        .jitter(options.jitter())
        .listener(new Events());
    try {
      options.listen.forEach(builder::listen);
      options.bootstrap.forEach(builder::bootstrap);
      if (passphrase != null) {
        builder.passphrase(passphrase);
        Arrays.fill(passphrase, '\0');
      }
      node = builder.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      System.err.println("chat: " + e.getMessage());
      System.err.println("Run with --help for the options.");
      deleteIfTemporary(temporary, dataDir);
      return 2;
    }
    Path toDelete = temporary ? dataDir : null;
    Thread cleanup = new Thread(() -> {
      node.close();
      deleteIfTemporary(toDelete != null, toDelete);
    }, "chat-shutdown");
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      try {
        await(node.start());
      } catch (CommandException e) {
        System.err.println("chat: the node could not start: " + e.getMessage());
        return 1;
      }
      out.self(options.name != null ? options.name : node.peerId().toBase58());
      for (String address : node.listenAddresses()) {
        out.emit("listening on " + address, "listening", "address", address);
      }
      out.emit("* you are " + node.peerId() + (temporary ? " (data in a temporary directory)"
          : " (data in " + dataDir + ")"), "started", "peerId", node.peerId().toBase58(),
          "data", dataDir.toString(), "temporary", temporary);
      List<Space> spaces = node.spaces();
      if (!spaces.isEmpty()) {
        enter(spaces.get(0), defaultChannel(spaces.get(0)));
      }
      loop();
      return 0;
    } finally {
      node.close();
      deleteIfTemporary(temporary, dataDir);
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running or about to: it repeats the close, which is idempotent.
      }
    }
  }

  private void loop() {
    while (true) {
      String line;
      try {
        line = console.readLine(prompt());
      } catch (IOException e) {
        out.error("cannot read input: " + e.getMessage());
        return;
      }
      if (line == null) {
        return;
      }
      line = line.strip();
      if (line.isEmpty()) {
        continue;
      }
      try {
        if (!execute(line)) {
          return;
        }
      } catch (CommandException | IllegalArgumentException | IllegalStateException e) {
        out.error(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
      } catch (RuntimeException e) {
        out.error(e.toString());
      }
    }
  }

  /** Runs one line; returns false to quit. */
  private boolean execute(String line) throws CommandException {
    if (!line.startsWith("/")) {
      send(line);
      return true;
    }
    int space = line.indexOf(' ');
    String command = space < 0 ? line : line.substring(0, space);
    String arg = space < 0 ? "" : line.substring(space + 1).strip();
    switch (command) {
      case "/quit", "/exit" -> {
        return false;
      }
      case "/space" -> createSpace(required(command, arg, "NAME"));
      case "/invite" -> invite();
      case "/role" -> role(required(command, arg, "PEER admin|member"));
      case "/owner" -> transferOwnership(required(command, arg, "PEER"));
      case "/remove" -> remove(required(command, arg, "PEER"));
      case "/leave" -> leave();
      case "/join" -> join(required(command, arg, "CODE"));
      case "/enter" -> enterSpace(required(command, arg, "SPACE"));
      case "/channel" -> channel(required(command, arg, "NAME"));
      case "/channels" -> channels();
      case "/spaces" -> spaces();
      case "/members" -> members();
      case "/history" -> history(arg);
      case "/peers" -> peers();
      case "/help" -> out.emit(ChatOptions.USAGE.substring(ChatOptions.USAGE.indexOf("Commands:")),
          "help", "text", ChatOptions.USAGE);
      default -> throw new CommandException("unknown command " + command + " (try /help)");
    }
    return true;
  }

  private void createSpace(String name) throws CommandException {
    Space s = await(node.createSpace(name));
    out.emit("* created space " + s.name() + " (" + s.id() + ")", "space", "id", s.id(),
        "name", s.name());
    enter(s, defaultChannel(s));
  }

  private void invite() throws CommandException {
    String code = await(space().createInvite());
    out.emit("invite " + code, "invite", "code", code, "space", currentSpace.name(),
        "spaceId", currentSpace.id());
  }

  private void role(String arg) throws CommandException {
    String[] parts = arg.split("\\s+");
    if (parts.length != 2) {
      throw new CommandException("usage: /role PEER admin|member");
    }
    PeerId peer = PeerId.parse(parts[0]);
    Role role = switch (parts[1].toLowerCase(java.util.Locale.ROOT)) {
      case "admin" -> Role.ADMIN;
      case "member" -> Role.MEMBER;
      default -> throw new CommandException("role must be admin or member: " + parts[1]);
    };
    await(space().setRole(peer, role));
    out.emit("* " + peer + " is now " + parts[1], "role", "peer", peer.toBase58(), "role",
        role.name().toLowerCase(java.util.Locale.ROOT));
  }

  private void transferOwnership(String arg) throws CommandException {
    PeerId peer = PeerId.parse(arg);
    await(space().transferOwnership(peer));
    out.emit("* " + peer + " is now the owner of " + currentSpace.name() + "; you are an admin",
        "owner", "peer", peer.toBase58(), "space", currentSpace.name(), "spaceId",
        currentSpace.id());
  }

  private void remove(String arg) throws CommandException {
    PeerId peer = PeerId.parse(arg);
    await(space().remove(peer));
    out.emit("* removing " + peer + " from " + currentSpace.name(), "removing", "peer",
        peer.toBase58(), "space", currentSpace.name(), "spaceId", currentSpace.id());
  }

  private void leave() throws CommandException {
    Space s = space();
    await(s.leave());
    out.emit("* you left " + s.name(), "left", "space", s.name(), "spaceId", s.id());
    currentSpace = null;
    currentChannel = null;
  }

  private void join(String code) throws CommandException {
    Space s;
    try {
      s = await(node.join(code));
    } catch (CommandException e) {
      throw new CommandException("could not join: " + e.getMessage()
          + " (the inviter must be online; if the join completes later, /enter the space)");
    }
    out.emit("* joined space " + s.name() + " (" + s.id() + ")", "joined", "id", s.id(),
        "name", s.name());
    enter(s, defaultChannel(s));
  }

  private void enterSpace(String nameOrId) throws CommandException {
    List<Space> matches = node.spaces().stream()
        .filter(s -> s.id().equals(nameOrId) || s.name().equals(nameOrId)).toList();
    if (matches.isEmpty()) {
      throw new CommandException("no space named " + nameOrId + " (see /spaces)");
    }
    if (matches.size() > 1) {
      throw new CommandException(matches.size() + " spaces are named " + nameOrId
          + ": /enter one by its id (see /spaces)");
    }
    enter(matches.get(0), defaultChannel(matches.get(0)));
  }

  private void channel(String name) throws CommandException {
    Space s = space();
    Optional<Channel> existing = s.channel(name);
    Channel c;
    if (existing.isPresent()) {
      c = existing.get();
    } else {
      c = await(s.createChannel(name));
      out.emit("* created channel #" + c.name() + " in " + s.name(), "channel", "channel",
          c.name(), "channelId", c.id(), "space", s.name(), "spaceId", s.id());
    }
    enter(s, c);
  }

  private void channels() throws CommandException {
    Space s = space();
    List<Map<String, Object>> list = new ArrayList<>();
    StringBuilder text = new StringBuilder("* channels of " + s.name() + ":");
    for (Channel c : s.channels()) {
      boolean current = currentChannel != null && currentChannel.id().equals(c.id());
      list.add(fields("name", c.name(), "id", c.id(), "members", c.members().size(),
          "current", current));
      text.append(current ? " [#" : " #").append(c.name()).append(current ? "]" : "");
    }
    out.emit(text.toString(), "channels", "space", s.name(), "spaceId", s.id(), "channels", list);
  }

  private void spaces() {
    List<Map<String, Object>> list = new ArrayList<>();
    StringBuilder text = new StringBuilder("* spaces:");
    for (Space s : node.spaces()) {
      String governance = s.governance().name().toLowerCase(java.util.Locale.ROOT);
      list.add(fields("name", s.name(), "id", s.id(), "owner", s.owner().toBase58(),
          "governance", governance));
      text.append("\n*   ").append(s.name()).append(" (").append(s.id()).append(')')
          .append(s.governance() == SpaceGovernance.OWNED ? "" : ", " + governanceText(s));
    }
    out.emit(list.isEmpty() ? "* no spaces yet: /space NAME or /join CODE" : text.toString(),
        "spaces", "spaces", list);
  }

  private void members() throws CommandException {
    Channel c = channel();
    Map<PeerId, Role> roles = c.space().roles();
    List<Map<String, Object>> list = new ArrayList<>();
    StringBuilder text = new StringBuilder("* members of #" + c.name() + ":");
    for (PeerId p : c.members().stream().sorted().toList()) {
      String role = Optional.ofNullable(roles.get(p)).map(r -> r.name().toLowerCase())
          .orElse("unknown");
      boolean owner = p.equals(c.owner());
      boolean self = p.equals(node.peerId());
      list.add(fields("peer", p.toBase58(), "role", role, "channelOwner", owner, "self", self));
      text.append("\n*   ").append(p).append(' ').append(role)
          .append(owner ? ", channel owner" : "").append(self ? " (you)" : "");
    }
    out.emit(text.toString(), "members", "channel", c.name(), "channelId", c.id(),
        "members", list);
  }

  private void history(String arg) throws CommandException {
    int limit = DEFAULT_HISTORY;
    if (!arg.isEmpty()) {
      try {
        limit = Integer.parseInt(arg);
      } catch (NumberFormatException e) {
        throw new CommandException("/history takes a number of messages, not '" + arg + "'");
      }
      if (limit < 1 || limit > MAX_HISTORY) {
        throw new CommandException("/history takes 1 to " + MAX_HISTORY + " messages, not "
            + limit);
      }
    }
    Channel c = channel();
    List<Message> messages = await(c.history(limit, null));
    List<Map<String, Object>> list = new ArrayList<>();
    StringBuilder text = new StringBuilder("* last " + messages.size() + " of #" + c.name());
    for (Message m : messages) {
      list.add(fields("id", m.id().toString(), "sender", m.sender().toBase58(), "text", m.text(),
          "lamport", m.lamport(), "self", m.sender().equals(node.peerId())));
      text.append('\n').append(messageLine(c, m));
    }
    out.emit(text.toString(), "history", "channel", c.name(), "channelId", c.id(), "messages",
        list);
  }

  private void peers() {
    List<String> list = peers.stream().map(PeerId::toBase58).sorted().toList();
    out.emit(list.isEmpty() ? "* connected to no peer"
        : "* connected to " + list.size() + " peer(s):\n*   " + String.join("\n*   ", list),
        "peers", "peers", list);
  }

  private void send(String text) throws CommandException {
    Channel c = currentChannel;
    if (c == null) {
      throw new CommandException("no current channel: /space NAME, /join CODE or /channel NAME");
    }
    Message m = await(c.send(text));
    out.emit(null, "sent", "channel", c.name(), "channelId", c.id(), "space", c.space().name(),
        "id", m.id().toString(), "text", text, "lamport", m.lamport());
  }

  private void enter(Space s, Channel c) {
    currentSpace = s;
    currentChannel = c;
    if (c == null) {
      out.emit("* entered " + s.name() + ", which has no channel you are a member of yet",
          "entered", "space", s.name(), "spaceId", s.id());
      return;
    }
    out.emit("* now in #" + c.name() + " of " + s.name(), "entered", "channel", c.name(),
        "channelId", c.id(), "space", s.name(), "spaceId", s.id());
  }

  private static Channel defaultChannel(Space s) {
    return s.channel("general").or(() -> s.channels().stream().findFirst()).orElse(null);
  }

  /** What a space's governance means for its members, in a few words. */
  private static String governanceText(Space s) {
    return switch (s.governance()) {
      case OWNED -> "owned by " + s.owner();
      case ADMINS_ONLY -> "the owner left: the admins manage it";
      case UNMANAGED -> "the owner and every admin left: members still chat, but nobody can invite,"
          + " remove or create channels any more (create a new space to grow)";
    };
  }

  private Space space() throws CommandException {
    if (currentSpace == null) {
      throw new CommandException("no current space: /space NAME or /join CODE first");
    }
    return currentSpace;
  }

  private Channel channel() throws CommandException {
    if (currentChannel == null) {
      throw new CommandException("no current channel: /space NAME, /join CODE or /channel NAME");
    }
    return currentChannel;
  }

  private String prompt() {
    String who = options.name != null ? options.name : "";
    String where = currentChannel == null ? "" : "#" + currentChannel.name();
    return (who + (who.isEmpty() || where.isEmpty() ? "" : " ") + where + "> ").stripLeading();
  }

  private static String required(String command, String arg, String what)
      throws CommandException {
    if (arg.isEmpty()) {
      throw new CommandException(command + " needs " + what);
    }
    return arg;
  }

  private static String messageLine(Channel c, Message m) {
    return "#" + c.name() + " " + m.sender() + ": " + m.text();
  }

  private static Map<String, Object> fields(Object... keyValues) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i + 1 < keyValues.length; i += 2) {
      map.put((String) keyValues[i], keyValues[i + 1]);
    }
    return map;
  }

  private static <T> T await(CompletableFuture<T> future) throws CommandException {
    try {
      return future.get(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new CommandException("no answer within " + COMMAND_TIMEOUT_SECONDS + " s");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw new CommandException(cause.getMessage() == null ? cause.toString()
          : cause.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommandException("interrupted");
    }
  }

  private static void deleteIfTemporary(boolean temporary, Path dir) {
    if (!temporary || dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      System.err.println("chat: could not delete " + dir + ": " + e.getMessage());
    }
  }

  /** A command that failed in a way the user can act on; the message says how. */
  private static final class CommandException extends Exception {
    CommandException(String message) {
      super(message);
    }
  }

  /** Prints the node's events; runs on the node's listener thread. */
  private final class Events implements SpacePandaListener {

    @Override
    public void onMessage(Channel channel, Message message) {
      Space s = channel.space();
      out.emit(messageLine(channel, message), "message", "channel", channel.name(), "channelId",
          channel.id(), "space", s.name(), "spaceId", s.id(), "sender",
          message.sender().toBase58(), "text", message.text(), "lamport", message.lamport(),
          "id", message.id().toString());
    }

    @Override
    public void onMemberJoined(Channel channel, PeerId member) {
      out.emit("* " + member + " joined #" + channel.name(), "memberJoined", "channel",
          channel.name(), "channelId", channel.id(), "member", member.toBase58());
    }

    @Override
    public void onMemberLeft(Channel channel, PeerId member) {
      out.emit("* " + member + " left #" + channel.name(), "memberLeft", "channel",
          channel.name(), "channelId", channel.id(), "member", member.toBase58());
    }

    @Override
    public void onMemberRemoved(Channel channel, PeerId member) {
      String who = member.equals(node.peerId()) ? "you were" : member + " was";
      out.emit("* " + who + " removed from #" + channel.name(), "memberRemoved", "channel",
          channel.name(), "channelId", channel.id(), "member", member.toBase58());
    }

    @Override
    public void onChannelCreated(Channel channel) {
      Space s = channel.space();
      out.emit("* you are a member of #" + channel.name() + " in " + s.name(), "channelCreated",
          "channel", channel.name(), "channelId", channel.id(), "space", s.name(), "spaceId",
          s.id());
    }

    @Override
    public void onChannelRenamed(Channel channel, String oldName) {
      out.emit("* #" + oldName + " is now #" + channel.name(), "channelRenamed", "channel",
          channel.name(), "channelId", channel.id(), "oldName", oldName);
    }

    @Override
    public void onSpaceJoined(Space space) {
      out.emit("* you are a member of space " + space.name(), "spaceJoined", "space",
          space.name(), "spaceId", space.id());
    }

    @Override
    public void onGovernanceChanged(Space space, SpaceGovernance governance) {
      out.emit("* " + space.name() + ": " + governanceText(space), "governance", "space",
          space.name(), "spaceId", space.id(), "governance",
          governance.name().toLowerCase(java.util.Locale.ROOT));
    }

    @Override
    public void onForkResolved(Space space, String groupId, long forkEpoch) {
      out.emit("* " + space.name() + ": two changes made apart at epoch " + forkEpoch
          + " were reconciled; your messages from the other side were sent again", "forkResolved",
          "space", space.name(), "spaceId", space.id(), "group", groupId, "epoch", forkEpoch);
    }

    @Override
    public void onForkUnresolved(Space space, String groupId, long forkEpoch) {
      out.emit("* " + space.name() + ": changes made apart at epoch " + forkEpoch
          + " could not be reconciled: the group stays split until one side leaves and is invited"
          + " again", "forkUnresolved", "space",
          space.name(), "spaceId", space.id(), "group", groupId, "epoch", forkEpoch);
    }

    @Override
    public void onDeliveryProgress(MessageId message, int acknowledged, int recipients) {
      out.emit(null, "deliveryProgress", "id", message.toString(), "acknowledged", acknowledged,
          "recipients", recipients);
    }

    @Override
    public void onDeliveryFailed(MessageId message, PeerId recipient, Throwable cause) {
      String why = cause.getMessage() == null ? cause.toString() : cause.getMessage();
      out.emit("* a copy of " + message + " did not reach " + recipient + " (" + why
          + "); retrying", "deliveryFailed", "id", message.toString(), "recipient",
          recipient.toBase58(), "cause", why);
    }

    @Override
    public void onPeerConnected(PeerId peer) {
      peers.add(peer);
      out.emit("* connected to " + peer, "peerConnected", "peer", peer.toBase58());
    }

    @Override
    public void onPeerLost(PeerId peer) {
      peers.remove(peer);
      out.emit("* lost " + peer, "peerLost", "peer", peer.toBase58());
    }
  }
}
