package io.spacepanda.internal.mls.message;

import static io.spacepanda.internal.mls.message.WireFixtures.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spacepanda.internal.mls.MlsDecodeException;
import org.junit.jupiter.api.Test;

class PrivateMessageContentTest {

  @Test
  void application_withPadding_roundTrips() throws MlsDecodeException {
    FramedContent content = FramedContent.application(hex("01"), 1, Sender.member(2), hex(""),
        hex("6869"));
    PrivateMessageContent pmc = PrivateMessageContent.of(content,
        new FramedContentAuthData(hex("aa"), null), 3);
    assertArrayEquals(hex("02686901aa000000"), pmc.toBytes());
    PrivateMessageContent back = PrivateMessageContent.decode(pmc.toBytes(),
        ContentType.APPLICATION);
    assertEquals(pmc, back);
    assertEquals(content, back.toFramedContent(hex("01"), 1, Sender.member(2), hex("")));
  }

  @Test
  void decode_nonZeroPadding_isDecodeError() {
    assertThrows(MlsDecodeException.class,
        () -> PrivateMessageContent.decode(hex("02686901aa000100"), ContentType.APPLICATION));
  }

  @Test
  void privateMessage_aads_areTheRfcPrefixes() {
    PrivateMessage m = new PrivateMessage(hex("01"), 2, ContentType.COMMIT, hex("ab"), hex("cd"),
        hex("ef"));
    assertArrayEquals(hex("0101" + "0000000000000002" + "03"), m.senderDataAad());
    assertArrayEquals(hex("0101" + "0000000000000002" + "03" + "01ab"), m.privateContentAad());
  }

  @Test
  void senderData_leafIndexAtOrAbove2pow31_isDecodeError() {
    assertThrows(MlsDecodeException.class, () -> io.spacepanda.internal.mls.codec.TlsReader
        .decodeExactly(hex("800000000000000101020304"), SenderData::decode));
  }
}
