package io.spacepanda;

import static io.spacepanda.TcpTestNode.await;
import static io.spacepanda.TcpTestNode.channel;
import static io.spacepanda.TcpTestNode.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.node.NodeInternals;
import io.spacepanda.internal.space.Contact;
import io.spacepanda.internal.space.InviteCode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Multi-process, real TCP (issue 11): the owner runs in its own JVM, issues an invite and is
 * killed with SIGKILL; the newcomer joins with the owner's invite through the admin, and the
 * admin and the newcomer chat. The owner's JVM ({@link Owner}) takes one command per line on its
 * standard input and answers one line.
 */
class OwnerKilledInviteTest {

  private static final String LOOPBACK = "/ip4/127.0.0.1/tcp/0";

  @TempDir
  Path dir;

  private final List<SpacePanda> nodes = new ArrayList<>();
  private Process owner;

  @AfterEach
  void closeAll() throws Exception {
    if (owner != null) {
      owner.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
    }
    for (SpacePanda n : nodes) {
      n.close();
    }
  }

  private TcpTestNode start(String name) throws Exception {
    TcpTestNode n = new TcpTestNode(name);
    SpacePanda node = SpacePanda.builder()
        .dataDir(dir.resolve(name))
        .listen(LOOPBACK)
        .jitter(Jitter.none())
        .committerTimeout(Duration.ofSeconds(2))
        .listener(n)
        .build();
    n.node = node;
    nodes.add(node);
    await(node.start());
    return n;
  }

  @Test
  void ownerKilled_newcomerJoinsWithTheOwnersInvite_throughTheAdmin_andTheyChat()
      throws Exception {
    TcpTestNode bob = start("bob");
    TcpTestNode dave = start("dave");
    List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
        System.getProperty("java.class.path"), Owner.class.getName(),
        dir.resolve("alice").toString());
    owner = new ProcessBuilder(cmd)
        .redirectError(dir.resolve("owner.log").toFile()).start();
    BufferedReader out = new BufferedReader(
        new InputStreamReader(owner.getInputStream(), StandardCharsets.UTF_8));
    PrintStream in = new PrintStream(owner.getOutputStream(), true, StandardCharsets.UTF_8);

    String spaceId = ask(in, out, "create");
    Space bobSpace = await(bob.node.join(ask(in, out, "invite")));
    assertEquals(spaceId, bobSpace.id());
    assertEquals("ok", ask(in, out, "admin " + bob.id().toBase58()));
    waitFor(() -> bobSpace.role(bob.id()).orElse(null) == Role.ADMIN, "bob is an admin");

    String code = ask(in, out, "invite");
    InviteCode parsed = InviteCode.parse(code);
    assertEquals(List.of(bob.id()), parsed.admins().stream().map(Contact::peer).toList());
    io.spacepanda.internal.node.Node bobInternal = ((NodeFront) bob.node).node();
    waitFor(() -> NodeInternals.knowsInvite(bobInternal, spaceId, parsed.secretHash()),
        "bob learnt the owner's invite");
    PeerId alice = bobSpace.owner();

    owner.destroyForcibly();
    assertTrue(owner.waitFor(20, TimeUnit.SECONDS));

    Space daveSpace = await(dave.node.join(code));
    waitFor(() -> bobSpace.members().equals(Set.of(alice, bob.id(), dave.id())),
        "dave is a member at bob's");
    await(channel(dave, daveSpace, "general").send("dave: hello"));
    bob.expect("dave: hello");
    await(channel(bob, bobSpace, "general").send("bob: welcome"));
    dave.expect("bob: welcome");
  }

  private static String ask(PrintStream in, BufferedReader out, String command) throws Exception {
    in.println(command);
    String line = out.readLine();
    if (line == null || line.startsWith("error")) {
      throw new AssertionError("owner answered " + line + " to " + command);
    }
    return line;
  }

  /** The owner's JVM: a node over TCP with its data in {@code args[0]}, driven by stdin. */
  static final class Owner {
    private Owner() {}

    /**
     * Runs the owner until its standard input ends or it is killed.
     *
     * @param args the data directory
     * @throws Exception if the node cannot start
     */
    public static void main(String[] args) throws Exception {
      SpacePanda node = SpacePanda.builder()
          .dataDir(Path.of(args[0]))
          .listen(LOOPBACK)
          .jitter(Jitter.none())
          .build();
      node.start().get(60, TimeUnit.SECONDS);
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      Space space = null;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        try {
          String[] w = line.split(" ");
          switch (w[0]) {
            case "create" -> {
              space = node.createSpace("Team").get(60, TimeUnit.SECONDS);
              System.out.println(space.id());
            }
            case "invite" -> System.out.println(space.createInvite().get(60, TimeUnit.SECONDS));
            case "admin" -> {
              space.setRole(PeerId.parse(w[1]), Role.ADMIN).get(60, TimeUnit.SECONDS);
              System.out.println("ok");
            }
            default -> System.out.println("error unknown command");
          }
        } catch (Exception e) {
          System.out.println("error " + e);
        }
        System.out.flush();
      }
      node.close();
    }
  }
}
