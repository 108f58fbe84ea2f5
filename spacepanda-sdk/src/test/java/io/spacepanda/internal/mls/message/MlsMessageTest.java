package io.spacepanda.internal.mls.message;

import static io.spacepanda.internal.mls.message.WireFixtures.concat;
import static io.spacepanda.internal.mls.message.WireFixtures.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsReader;
import org.junit.jupiter.api.Test;

class MlsMessageTest {

  @Test
  void keyPackage_isWrappedWithVersionAndWireFormat() throws MlsDecodeException {
    KeyPackage kp = WireFixtures.keyPackage();
    MlsMessage m = MlsMessage.of(kp);
    assertArrayEquals(concat(hex("00010005"), kp.toBytes()), m.toBytes());
    MlsMessage back = TlsReader.decodeExactly(m.toBytes(), MlsMessage::decode);
    assertEquals(WireFormat.KEY_PACKAGE, back.wireFormat());
    assertEquals(kp, back.keyPackage());
    assertNull(back.welcome());
    assertNull(back.publicMessage());
    assertNull(back.privateMessage());
    assertNull(back.groupInfo());
  }

  @Test
  void decode_otherVersion_isDecodeError() {
    byte[] bytes = concat(hex("00020005"), WireFixtures.keyPackage().toBytes());
    assertThrows(MlsDecodeException.class,
        () -> TlsReader.decodeExactly(bytes, MlsMessage::decode));
  }

  @Test
  void decode_unknownWireFormat_isDecodeError() {
    byte[] bytes = concat(hex("00010006"), WireFixtures.keyPackage().toBytes());
    assertThrows(MlsDecodeException.class,
        () -> TlsReader.decodeExactly(bytes, MlsMessage::decode));
  }

  @Test
  void groupContext_otherVersion_isDecodeError() {
    byte[] bytes = WireFixtures.groupContext().toBytes();
    bytes[1] = 2;
    assertThrows(MlsDecodeException.class,
        () -> TlsReader.decodeExactly(bytes, GroupContext::decode));
  }

  @Test
  void groupInfo_toBeSigned_isEncodingWithoutSignature() {
    GroupInfo gi = new GroupInfo(WireFixtures.groupContext(), java.util.List.of(), hex("aa"), 4,
        hex("bbcc"));
    assertArrayEquals(concat(gi.toBeSigned(), hex("02bbcc")), gi.toBytes());
    assertArrayEquals(concat(WireFixtures.groupContext().toBytes(), hex("00"), hex("01aa"),
        hex("00000004")), gi.toBeSigned());
  }

  @Test
  void framedContentTbs_contextOnlyForMemberAndNewMemberCommit() {
    GroupContext ctx = WireFixtures.groupContext();
    FramedContent member = FramedContent.application(hex("01"), 7, Sender.member(0), hex(""),
        hex("68"));
    assertArrayEquals(concat(hex("00010002"), member.toBytes(), ctx.toBytes()),
        FramedContentTbs.encode(WireFormat.PRIVATE_MESSAGE, member, ctx));
    assertThrows(IllegalArgumentException.class,
        () -> FramedContentTbs.encode(WireFormat.PUBLIC_MESSAGE, member, null));
    FramedContent external = FramedContent.proposal(hex("01"), 7, Sender.external(0), hex(""),
        new Proposal.Remove(0));
    assertArrayEquals(concat(hex("00010001"), external.toBytes()),
        FramedContentTbs.encode(WireFormat.PUBLIC_MESSAGE, external, null));
    assertThrows(IllegalArgumentException.class,
        () -> FramedContentTbs.encode(WireFormat.PUBLIC_MESSAGE, external, ctx));
  }
}
