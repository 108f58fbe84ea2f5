package io.spacepanda.internal.net.identify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IdentifyMessageTest {

  private static final HexFormat HEX = HexFormat.of();

  @Test
  void encode_knownMessage_matchesProtobufBytes() {
    IdentifyMessage message = new IdentifyMessage("ipfs/0.1.0", "sp", new byte[] {8, 1},
        List.of(HEX.parseHex("047f000001060fa1")), HEX.parseHex("047f000001"),
        List.of("/ipfs/ping/1.0.0"), new byte[0]);
    assertEquals("0a020801"
        + "1208047f000001060fa1"
        + "1a102f697066732f70696e672f312e302e30"
        + "2205047f000001"
        + "2a0a697066732f302e312e30"
        + "32027370", HEX.formatHex(message.encode()));
  }

  @Test
  void decode_twoConcatenatedMessages_mergesThem() throws Exception {
    byte[] first = new IdentifyMessage("a", "", new byte[0], List.of(), new byte[0],
        List.of("/x"), new byte[0]).encode();
    byte[] second = new IdentifyMessage("", "agent", new byte[0], List.of(), new byte[0],
        List.of("/y"), new byte[] {1, 2}).encode();
    byte[] both = new byte[first.length + second.length];
    System.arraycopy(first, 0, both, 0, first.length);
    System.arraycopy(second, 0, both, first.length, second.length);

    IdentifyMessage merged = IdentifyMessage.decode(both);
    assertEquals("a", merged.protocolVersion());
    assertEquals("agent", merged.agentVersion());
    assertEquals(List.of("/x", "/y"), merged.protocols());
    assertArrayEquals(new byte[] {1, 2}, merged.signedPeerRecord());
  }

  @Test
  void decode_unknownFields_areSkipped() throws Exception {
    IdentifyMessage decoded = IdentifyMessage.decode(HEX.parseHex("3801" + "3a0178" + "32027370"));
    assertEquals("sp", decoded.agentVersion());
  }

  @Test
  void decode_truncatedField_failsTyped() {
    assertThrows(IdentifyException.class, () -> IdentifyMessage.decode(HEX.parseHex("320573")));
  }

  @Test
  void decode_tooManyProtocols_failsTyped() {
    byte[] one = HEX.parseHex("1a012f");
    byte[] many = new byte[one.length * (IdentifyConstants.MAX_LIST_ENTRIES + 1)];
    for (int i = 0; i < IdentifyConstants.MAX_LIST_ENTRIES + 1; i++) {
      System.arraycopy(one, 0, many, i * one.length, one.length);
    }
    assertThrows(IdentifyException.class, () -> IdentifyMessage.decode(many));
  }

  @Test
  void unframe_truncatedMessage_failsTyped() {
    assertThrows(IdentifyException.class, () -> IdentifyReader.unframe(HEX.parseHex("05010203")));
  }

  @Property(tries = 300)
  void message_roundTrips(@ForAll("messages") IdentifyMessage message) throws Exception {
    assertEquals(message, IdentifyMessage.decode(message.encode()));
  }

  @Provide
  Arbitrary<IdentifyMessage> messages() {
    Arbitrary<String> text = Arbitraries.strings().ofMaxLength(40);
    Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(40);
    return Combinators.combine(text, text, bytes, bytes.list().ofMaxSize(5), bytes,
            text.list().ofMaxSize(5), bytes)
        .as(IdentifyMessage::new);
  }

  @Property(tries = 500)
  void randomBytes_decodeOrFailTyped(@ForAll @Size(max = 300) byte[] noise) {
    try {
      IdentifyMessage.decode(noise);
    } catch (IdentifyException expected) {
      assertTrue(expected.getMessage().startsWith("malformed")
          || expected.getMessage().contains("too"));
    }
  }

  @Property(tries = 500)
  void mutatedMessage_decodesOrFailsTyped(@ForAll("messages") IdentifyMessage message,
      @ForAll @IntRange(min = 0, max = 1000) int position, @ForAll byte xor) {
    byte[] wire = message.encode();
    if (wire.length == 0) {
      return;
    }
    wire[position % wire.length] ^= xor;
    try {
      IdentifyMessage.decode(wire);
    } catch (IdentifyException expected) {
      assertTrue(expected.getMessage().startsWith("malformed")
          || expected.getMessage().contains("too"));
    }
  }
}
