package io.spacepanda.internal.net.multistream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class MultistreamSelectTest {

  private static byte[] bytes(ByteBuf b) {
    byte[] out = ByteBufUtil.getBytes(b);
    b.release();
    return out;
  }

  @Test
  void start_initiator_pipelinesHeaderAndProposal() {
    MultistreamSelect i = MultistreamSelect.initiator(List.of("/noise"));
    ByteBuf out = Unpooled.buffer();
    i.start(out);
    // spec example: 0x13 "/multistream/1.0.0\n", then 0x07 "/noise\n"
    byte[] expected = ("\u0013/multistream/1.0.0\n\u0007/noise\n").getBytes(StandardCharsets.UTF_8);
    assertArrayEquals(expected, bytes(out));
  }

  @Test
  void negotiate_secondProposalAccepted_afterNa() throws Exception {
    MultistreamSelect i = MultistreamSelect.initiator(List.of("/tls/1.0.0", "/noise"));
    MultistreamSelect r = MultistreamSelect.responder(Set.of("/noise")::contains, 4);
    ByteBuf toR = Unpooled.buffer();
    ByteBuf toI = Unpooled.buffer();
    i.start(toR);
    r.start(toI);
    assertFalse(r.receive(toR, toI));
    assertFalse(i.receive(toI, toR));
    assertTrue(r.receive(toR, toI));
    assertTrue(i.receive(toI, toR));
    assertEquals("/noise", i.selected());
    assertEquals("/noise", r.selected());
    assertFalse(toR.isReadable());
    assertFalse(toI.isReadable());
  }

  @Test
  void receive_bytesAfterSelection_stayUnread() throws Exception {
    MultistreamSelect r = MultistreamSelect.responder(Set.of("/echo")::contains, 4);
    ByteBuf out = Unpooled.buffer();
    r.start(out);
    ByteBuf in = Unpooled.buffer();
    MultistreamSelect.writeMessage("/multistream/1.0.0", in);
    MultistreamSelect.writeMessage("/echo", in);
    in.writeBytes(new byte[] {1, 2, 3});
    assertTrue(r.receive(in, out));
    assertArrayEquals(new byte[] {1, 2, 3}, bytes(in));
  }

  @Test
  void receive_allRefused_failsNoCommonProtocol() throws Exception {
    MultistreamSelect i = MultistreamSelect.initiator(List.of("/a"));
    ByteBuf out = Unpooled.buffer();
    i.start(out);
    ByteBuf in = Unpooled.buffer();
    MultistreamSelect.writeMessage("/multistream/1.0.0", in);
    MultistreamSelect.writeMessage("na", in);
    MultistreamException e = assertThrows(MultistreamException.class, () -> i.receive(in, out));
    assertEquals(MultistreamException.Kind.NO_COMMON_PROTOCOL, e.kind());
  }

  @Test
  void receive_tooManyProposals_failsTyped() throws Exception {
    MultistreamSelect r = MultistreamSelect.responder(p -> false, 3);
    ByteBuf out = Unpooled.buffer();
    r.start(out);
    ByteBuf in = Unpooled.buffer();
    MultistreamSelect.writeMessage("/multistream/1.0.0", in);
    for (int k = 0; k < 4; k++) {
      MultistreamSelect.writeMessage("/p" + k, in);
    }
    MultistreamException e = assertThrows(MultistreamException.class, () -> r.receive(in, out));
    assertEquals(MultistreamException.Kind.TOO_MANY_ATTEMPTS, e.kind());
  }

  @Test
  void receive_badHeaderOrFraming_failsProtocolViolation() {
    for (byte[] bad :
        new byte[][] {
          "\u0013/multistream/2.0.0\n".getBytes(StandardCharsets.UTF_8),
          "\u0013/multistream/1.0.0X".getBytes(StandardCharsets.UTF_8),
          {0},
          {(byte) 0x81, 0},
          {(byte) 0xff, (byte) 0xff, 0x7f},
          {2, (byte) 0xC3, '\n'}
        }) {
      MultistreamSelect r = MultistreamSelect.responder(p -> true, 3);
      ByteBuf out = Unpooled.buffer();
      r.start(out);
      MultistreamException e =
          assertThrows(MultistreamException.class, () -> r.receive(Unpooled.wrappedBuffer(bad), out));
      assertEquals(MultistreamException.Kind.PROTOCOL_VIOLATION, e.kind());
    }
  }

  @Provide
  Arbitrary<List<String>> protocolLists() {
    return Arbitraries.strings().ofMinLength(1).ofMaxLength(60).excludeChars('\n')
        .map(s -> "/" + s).list().ofMinSize(1).ofMaxSize(5);
  }

  @Property(tries = 300)
  void negotiation_roundTrip_agreesOnFirstSupported(
      @ForAll("protocolLists") List<String> proposals,
      @ForAll("protocolLists") List<String> served,
      @ForAll @Size(min = 1, max = 7) List<Integer> chunking) throws Exception {
    MultistreamSelect i = MultistreamSelect.initiator(proposals);
    MultistreamSelect r = MultistreamSelect.responder(Set.copyOf(served)::contains, proposals.size());
    ByteBuf toR = Unpooled.buffer();
    ByteBuf toI = Unpooled.buffer();
    i.start(toR);
    r.start(toI);
    String expected = proposals.stream().filter(served::contains).findFirst().orElse(null);
    boolean iDone = false;
    boolean rDone = false;
    ByteBuf rIn = Unpooled.buffer();
    ByteBuf iIn = Unpooled.buffer();
    int step = 0;
    try {
      while (!(iDone && rDone) && step < 100_000) {
        int n = Math.floorMod(chunking.get(step++ % chunking.size()), 5) + 1;
        rIn.writeBytes(toR, Math.min(n, toR.readableBytes()));
        iIn.writeBytes(toI, Math.min(n, toI.readableBytes()));
        if (!rDone) {
          rDone = r.receive(rIn, toI);
        }
        if (!iDone) {
          iDone = i.receive(iIn, toR);
        }
      }
      assertEquals(expected, i.selected());
      assertEquals(expected, r.selected());
    } catch (MultistreamException e) {
      assertEquals(null, expected);
      assertEquals(MultistreamException.Kind.NO_COMMON_PROTOCOL, e.kind());
    }
  }

  @Property(tries = 1000)
  void randomBytes_failTypedOrWait(@ForAll @Size(max = 200) byte[] bytes) {
    MultistreamSelect r = MultistreamSelect.responder(p -> p.length() % 2 == 0, 8);
    ByteBuf out = Unpooled.buffer();
    r.start(out);
    ByteBuf in = Unpooled.buffer();
    MultistreamSelect.writeMessage("/multistream/1.0.0", in);
    in.writeBytes(bytes);
    try {
      r.receive(in, out);
    } catch (MultistreamException expected) {
      // a typed failure is the only acceptable failure
    }
  }

  @Property(tries = 500)
  void mutatedBytes_failTypedOrWait(@ForAll int position, @ForAll byte value) {
    ByteBuf in = Unpooled.buffer();
    MultistreamSelect.writeMessage("/multistream/1.0.0", in);
    MultistreamSelect.writeMessage("/yamux/1.0.0", in);
    byte[] b = bytes(in);
    b[Math.floorMod(position, b.length)] = value;
    MultistreamSelect r = MultistreamSelect.responder(p -> true, 8);
    ByteBuf out = Unpooled.buffer();
    r.start(out);
    try {
      r.receive(Unpooled.wrappedBuffer(b), out);
    } catch (MultistreamException expected) {
      // a typed failure is the only acceptable failure
    }
  }

  @Test
  void writeMessage_lengthCountsNewline() {
    ByteBuf b = Unpooled.buffer();
    MultistreamSelect.writeMessage("na", b);
    assertArrayEquals(new byte[] {3, 'n', 'a', '\n'}, bytes(b));
    List<String> none = new ArrayList<>();
    assertThrows(IllegalArgumentException.class, () -> MultistreamSelect.initiator(none));
  }
}
