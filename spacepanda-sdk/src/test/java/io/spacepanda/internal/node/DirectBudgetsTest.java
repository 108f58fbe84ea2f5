package io.spacepanda.internal.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spacepanda.PeerId;
import io.spacepanda.internal.net.host.ProtocolLimits;
import io.spacepanda.internal.net.host.ResourceLimitException;
import io.spacepanda.internal.net.host.ResourceManager;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The mailbox and sync protocols, carried in direct envelopes, have limits of their own per
 * connection peer (issue 14): a peer past its share of messages in flight, or with a message over
 * the bound, is refused with a typed {@link ResourceLimitException}; other peers, and the other
 * protocol of the same peer, go on.
 */
class DirectBudgetsTest {

  private static PeerId peer(int i) {
    byte[] key = new byte[32];
    key[0] = (byte) i;
    return PeerId.fromPublicKey(key);
  }

  private static NodeWire.Msg deposit(int envelopeBytes) {
    return new NodeWire.MailboxDeposit(new byte[32], new byte[38], new byte[38],
        new byte[envelopeBytes]);
  }

  private static NodeWire.Msg summary() {
    return new NodeWire.SyncSummary(new byte[32], new byte[32], new byte[38], 3,
        List.of(new NodeWire.SyncMark(new byte[38], 7)));
  }

  static Stream<Arguments> protocols() {
    Supplier<NodeWire.Msg> mailbox = () -> deposit(1000);
    Supplier<NodeWire.Msg> sync = DirectBudgetsTest::summary;
    Supplier<NodeWire.Msg> hugeDeposit = () -> deposit(NodeWire.MAX_MAILBOX_ENVELOPE + 4096);
    Supplier<NodeWire.Msg> hugeResponse = () -> new NodeWire.SyncResponse(new byte[32],
        new byte[32], new byte[38], false, java.util.Collections.nCopies(NodeWire.MAX_SYNC_ITEMS,
            new NodeWire.SyncItem(new byte[38], 1, 1, new byte[NodeWire.MAX_SYNC_MESSAGE + 1024])));
    return Stream.of(
        Arguments.of(DirectBudgets.MAILBOX, DirectBudgets.MAILBOX_LIMITS, mailbox, hugeDeposit, sync),
        Arguments.of(DirectBudgets.SYNC, DirectBudgets.SYNC_LIMITS, sync, hugeResponse, mailbox));
  }

  @ParameterizedTest
  @MethodSource("protocols")
  void overItsLimits_refusedTyped_whileOthersGoOn(String protocol, ProtocolLimits limits,
      Supplier<NodeWire.Msg> normal, Supplier<NodeWire.Msg> oversized,
      Supplier<NodeWire.Msg> otherProtocol) throws Exception {
    DirectBudgets budgets = new DirectBudgets();
    assertEquals(limits, budgets.resources().protocolLimits(protocol));
    List<ResourceManager.MessageScope> inFlight = new ArrayList<>();
    for (int i = 0; i < limits.maxInboundStreamsPerPeer(); i++) {
      inFlight.add(budgets.admit(peer(1), normal.get()));
    }
    ResourceLimitException refused = assertThrows(ResourceLimitException.class,
        () -> budgets.admit(peer(1), normal.get()));
    assertEquals(ResourceLimitException.Scope.PROTOCOL, refused.scope());
    assertThrows(ResourceLimitException.class, () -> budgets.admit(peer(2), oversized.get()),
        "over the message bound");
    assertNotNull(budgets.admit(peer(2), normal.get()), "another peer goes on");
    assertNotNull(budgets.admit(peer(1), otherProtocol.get()), "another protocol goes on");
    assertNull(budgets.admit(peer(1), new NodeWire.ChannelInvite(new byte[1],
        new NodeWire.ChannelInfo(new byte[1], "c", new byte[1]))), "not a limited protocol");
    inFlight.get(0).close(); // handled: the peer has room again
    assertNotNull(budgets.admit(peer(1), normal.get()));
    assertEquals(2, budgets.resources().refusedStreams(protocol));
  }

  @ParameterizedTest
  @MethodSource("protocols")
  void encodedLength_isCloseToTheEncoding(String protocol, ProtocolLimits limits,
      Supplier<NodeWire.Msg> normal) {
    NodeWire.Msg m = normal.get();
    long exact = m.toBytes().length;
    long estimate = DirectBudgets.encodedLength(m);
    org.junit.jupiter.api.Assertions.assertTrue(Math.abs(exact - estimate) <= 64,
        exact + " vs " + estimate);
  }
}
