package io.spacepanda.internal.mls.message;

import static io.spacepanda.internal.mls.message.WireFixtures.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsReader;
import org.junit.jupiter.api.Test;

class SenderTest {

  @Test
  void encode_eachType_carriesIndexOnlyForMemberAndExternal() {
    assertArrayEquals(hex("0100000007"), Sender.member(7).toBytes());
    assertArrayEquals(hex("0200000001"), Sender.external(1).toBytes());
    assertArrayEquals(hex("03"), Sender.newMemberProposal().toBytes());
    assertArrayEquals(hex("04"), Sender.newMemberCommit().toBytes());
  }

  @Test
  void decode_indexAtOrAbove2pow31_isDecodeError() throws MlsDecodeException {
    assertEquals(Sender.member(Integer.MAX_VALUE),
        TlsReader.decodeExactly(hex("017fffffff"), Sender::decode));
    assertThrows(MlsDecodeException.class,
        () -> TlsReader.decodeExactly(hex("0180000000"), Sender::decode));
    assertThrows(MlsDecodeException.class,
        () -> TlsReader.decodeExactly(hex("02ffffffff"), Sender::decode));
  }

  @Test
  void decode_unknownSenderType_isDecodeError() {
    assertThrows(MlsDecodeException.class, () -> TlsReader.decodeExactly(hex("00"), Sender::decode));
    assertThrows(MlsDecodeException.class, () -> TlsReader.decodeExactly(hex("05"), Sender::decode));
  }
}
