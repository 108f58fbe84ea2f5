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
                chunk)));
  }

  @Property
  void roundTrip_reencodesToTheSameBytes(@ForAll("messages") NodeWire.Msg m) throws Exception {
    byte[] wire = m.toBytes();
    assertArrayEquals(wire, NodeWire.decode(wire).toBytes());
    assertEquals(m.getClass(), NodeWire.decode(wire).getClass());
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
