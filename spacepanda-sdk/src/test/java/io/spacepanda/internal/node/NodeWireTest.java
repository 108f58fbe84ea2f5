package io.spacepanda.internal.node;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spacepanda.internal.mls.MlsDecodeException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class NodeWireTest {

  private static Arbitrary<byte[]> bytes(int max) {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(max);
  }

  private static Arbitrary<NodeWire.MemberInfo> members() {
    return Combinators.combine(bytes(44), bytes(32),
        Arbitraries.strings().alpha().ofMaxLength(30).list().ofMaxSize(3))
        .as(NodeWire.MemberInfo::new);
  }

  private static Arbitrary<NodeWire.ChannelInfo> channels() {
    return Combinators.combine(bytes(16), Arbitraries.strings().ofMaxLength(20), bytes(44))
        .as(NodeWire.ChannelInfo::new);
  }

  private static Arbitrary<java.util.List<NodeWire.SyncMark>> marks() {
    return Combinators.combine(bytes(38), Arbitraries.longs().greaterOrEqual(0))
        .as(NodeWire.SyncMark::new).list().ofMaxSize(4);
  }

  private static Arbitrary<java.util.List<NodeWire.SyncItem>> items() {
    return Combinators.combine(bytes(38), Arbitraries.longs().greaterOrEqual(0),
        Arbitraries.longs().greaterOrEqual(0), bytes(200)).as(NodeWire.SyncItem::new).list()
        .ofMaxSize(3);
  }

  private static Arbitrary<java.util.List<NodeWire.SyncExtension>> extensions() {
    return Combinators.combine(Arbitraries.integers().between(0, 65535), bytes(40))
        .as(NodeWire.SyncExtension::new).list().ofMaxSize(3);
  }

  @Provide
  Arbitrary<NodeWire.Msg> messages() {
    return Arbitraries.oneOf(
        members().map(m -> (NodeWire.Msg) m),
        Combinators.combine(Arbitraries.of(NodeWire.JOIN_REQUEST, NodeWire.JOIN_RESPONSE),
            bytes(500)).as(NodeWire.Join::new),
        Combinators.combine(bytes(16), bytes(16), members(), bytes(300))
            .as(NodeWire.ChannelJoinRequest::new),
        Combinators.combine(bytes(16), channels(), bytes(300)).as(NodeWire.ChannelWelcome::new),
        Combinators.combine(bytes(16), channels()).as(NodeWire.ChannelInvite::new),
        Combinators.combine(Arbitraries.bytes().array(byte[].class).ofSize(16),
            Arbitraries.integers().between(2, NodeWire.MAX_FRAGMENTS), Arbitraries.integers()
                .between(0, NodeWire.MAX_FRAGMENTS - 1), bytes(300))
            .as((id, count, index, chunk) -> new NodeWire.Fragment(id, index % count, count,
                chunk)),
        Combinators.combine(bytes(16), bytes(16), bytes(38), Arbitraries.longs().greaterOrEqual(0),
            marks(), extensions()).as(NodeWire.SyncSummary::new),
        Combinators.combine(bytes(16), bytes(16), bytes(38), Arbitraries.longs().greaterOrEqual(0),
            marks(), extensions()).as(NodeWire.SyncRequest::new),
        Combinators.combine(bytes(16), bytes(38), bytes(38), bytes(600))
            .as(NodeWire.MailboxDeposit::new),
        Combinators.combine(bytes(16), bytes(38), bytes(32), Arbitraries.integers().between(0, 255))
            .as(NodeWire.MailboxRefused::new),
        Combinators.combine(bytes(16), bytes(16), bytes(38), Arbitraries.of(true, false), items())
            .as(NodeWire.SyncResponse::new));
  }

  @Property
  void roundTrip_reencodesToTheSameBytes(@ForAll("messages") NodeWire.Msg m) throws Exception {
    byte[] wire = m.toBytes();
    assertArrayEquals(wire, NodeWire.decode(wire).toBytes());
    assertEquals(m.getClass(), NodeWire.decode(wire).getClass());
  }

  @Property
  void syncMessages_roundTripTheirFields(@ForAll("messages") NodeWire.Msg m) throws Exception {
    NodeWire.Msg back = NodeWire.decode(m.toBytes());
    if (m instanceof NodeWire.SyncResponse r) {
      NodeWire.SyncResponse b = (NodeWire.SyncResponse) back;
      assertEquals(r.more(), b.more());
      assertEquals(r.items().size(), b.items().size());
      for (int i = 0; i < r.items().size(); i++) {
        assertEquals(r.items().get(i).sequence(), b.items().get(i).sequence());
        assertEquals(r.items().get(i).epoch(), b.items().get(i).epoch());
        assertArrayEquals(r.items().get(i).mlsMessage(), b.items().get(i).mlsMessage());
      }
    } else if (m instanceof NodeWire.SyncSummary x) {
      NodeWire.SyncSummary b = (NodeWire.SyncSummary) back;
      assertArrayEquals(x.asker(), b.asker());
      assertEquals(x.epoch(), b.epoch());
      assertEquals(x.marks().stream().map(NodeWire.SyncMark::highWater).toList(),
          b.marks().stream().map(NodeWire.SyncMark::highWater).toList());
      assertEquals(x.extensions().size(), b.extensions().size());
      for (int i = 0; i < x.extensions().size(); i++) {
        assertEquals(x.extensions().get(i).type(), b.extensions().get(i).type());
        assertArrayEquals(x.extensions().get(i).body(), b.extensions().get(i).body());
      }
    } else if (m instanceof NodeWire.MailboxDeposit d) {
      NodeWire.MailboxDeposit b = (NodeWire.MailboxDeposit) back;
      assertArrayEquals(d.spaceId(), b.spaceId());
      assertArrayEquals(d.depositor(), b.depositor());
      assertArrayEquals(d.recipient(), b.recipient());
      assertArrayEquals(d.envelope(), b.envelope());
    } else if (m instanceof NodeWire.MailboxRefused r) {
      NodeWire.MailboxRefused b = (NodeWire.MailboxRefused) back;
      assertArrayEquals(r.envelopeId(), b.envelopeId());
      assertEquals(r.reason(), b.reason());
    }
  }

  @org.junit.jupiter.api.Test
  void syncDecoders_refuseMoreThanTheirLimits() {
    java.util.List<NodeWire.SyncMark> tooManyMarks = java.util.Collections.nCopies(
        NodeWire.MAX_SYNC_MARKS + 1, new NodeWire.SyncMark(new byte[] {1}, 0));
    org.junit.jupiter.api.Assertions.assertThrows(MlsDecodeException.class, () -> NodeWire.decode(
        new NodeWire.SyncSummary(new byte[1], new byte[1], new byte[1], 0, tooManyMarks)
            .toBytes()));
    java.util.List<NodeWire.SyncExtension> tooManyExtensions = java.util.Collections.nCopies(
        NodeWire.MAX_SYNC_EXTENSIONS + 1, new NodeWire.SyncExtension(1, new byte[1]));
    org.junit.jupiter.api.Assertions.assertThrows(MlsDecodeException.class, () -> NodeWire.decode(
        new NodeWire.SyncSummary(new byte[1], new byte[1], new byte[1], 0, java.util.List.of(),
            tooManyExtensions).toBytes()));
    org.junit.jupiter.api.Assertions.assertThrows(MlsDecodeException.class, () -> NodeWire.decode(
        new NodeWire.MailboxDeposit(new byte[1], new byte[1], new byte[1],
            new byte[NodeWire.MAX_MAILBOX_ENVELOPE + 1]).toBytes()));
    org.junit.jupiter.api.Assertions.assertThrows(MlsDecodeException.class, () -> NodeWire.decode(
        new NodeWire.SyncSummary(new byte[1], new byte[1], new byte[1], -1, java.util.List.of())
            .toBytes()));
    java.util.List<NodeWire.SyncItem> tooManyItems = java.util.Collections.nCopies(
        NodeWire.MAX_SYNC_ITEMS + 1, new NodeWire.SyncItem(new byte[] {1}, 0, 0, new byte[1]));
    org.junit.jupiter.api.Assertions.assertThrows(MlsDecodeException.class, () -> NodeWire.decode(
        new NodeWire.SyncResponse(new byte[1], new byte[1], new byte[1], false, tooManyItems)
            .toBytes()));
    byte[] negative = new NodeWire.SyncRequest(new byte[1], new byte[1], new byte[1], 0,
        java.util.List.of(new NodeWire.SyncMark(new byte[] {1}, -1))).toBytes();
    org.junit.jupiter.api.Assertions.assertThrows(MlsDecodeException.class,
        () -> NodeWire.decode(negative));
  }

  @Property
  void randomBytes_decodeOrTypedError(@ForAll @Size(max = 400) byte[] bytes) {
    try {
      NodeWire.decode(bytes);
    } catch (MlsDecodeException expected) {
      // the only failure allowed
    }
  }

  @Property
  void mutatedBytes_decodeOrTypedError(@ForAll("messages") NodeWire.Msg m,
      @ForAll @IntRange(min = 0, max = 100_000) int position, @ForAll byte value) {
    byte[] b = m.toBytes();
    b[position % b.length] = value;
    try {
      NodeWire.decode(b);
    } catch (MlsDecodeException expected) {
      // the only failure allowed
    }
  }

  @Property
  void truncatedBytes_failTyped(@ForAll("messages") NodeWire.Msg m,
      @ForAll @IntRange(min = 1, max = 100_000) int cut) {
    byte[] b = m.toBytes();
    byte[] shorter = java.util.Arrays.copyOf(b, b.length - 1 - (cut % b.length));
    try {
      NodeWire.decode(shorter);
    } catch (MlsDecodeException expected) {
      // the only failure allowed
    }
  }

}
