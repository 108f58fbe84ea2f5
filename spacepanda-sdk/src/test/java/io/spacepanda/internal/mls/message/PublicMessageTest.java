package io.spacepanda.internal.mls.message;

import static io.spacepanda.internal.mls.message.WireFixtures.concat;
import static io.spacepanda.internal.mls.message.WireFixtures.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class PublicMessageTest {

  private static final Commit EMPTY_COMMIT = new Commit(List.of(), null);

  @Test
  void encode_memberCommit_hasSignatureConfirmationTagAndMembershipTag()
      throws MlsDecodeException {
    FramedContent content = FramedContent.commit(hex("01"), 2, Sender.member(3), hex(""),
        EMPTY_COMMIT);
    PublicMessage m = new PublicMessage(content, new FramedContentAuthData(hex("aa"), hex("bb")),
        hex("cc"));
    assertArrayEquals(concat(content.toBytes(), hex("01aa"), hex("01bb"), hex("01cc")),
        m.toBytes());
    assertEquals(m, TlsReader.decodeExactly(m.toBytes(), PublicMessage::decode));
  }

  @Test
  void encode_externalProposal_hasNoConfirmationTagNorMembershipTag() throws MlsDecodeException {
    FramedContent content = FramedContent.proposal(hex("01"), 2, Sender.external(0), hex(""),
        new Proposal.Remove(1));
    PublicMessage m = new PublicMessage(content, new FramedContentAuthData(hex("aa"), null), null);
    assertArrayEquals(concat(content.toBytes(), hex("01aa")), m.toBytes());
    PublicMessage back = TlsReader.decodeExactly(m.toBytes(), PublicMessage::decode);
    assertNull(back.membershipTag());
    assertNull(back.auth().confirmationTag());
  }

  @Test
  void decode_memberApplicationWithoutMembershipTag_isDecodeError() {
    FramedContent content = FramedContent.application(hex("01"), 2, Sender.member(0), hex(""),
        hex("68"));
    byte[] noTag = concat(content.toBytes(), hex("01aa"));
    assertThrows(MlsDecodeException.class,
        () -> TlsReader.decodeExactly(noTag, PublicMessage::decode));
  }

  @Test
  void constructor_membershipTagForNonMember_fails() {
    FramedContent content = FramedContent.commit(hex("01"), 2, Sender.newMemberCommit(), hex(""),
        EMPTY_COMMIT);
    assertThrows(IllegalArgumentException.class, () -> new PublicMessage(content,
        new FramedContentAuthData(hex("aa"), hex("bb")), hex("cc")));
  }

  @Test
  void constructor_confirmationTagOnNonCommit_fails() {
    FramedContent content = FramedContent.application(hex("01"), 2, Sender.member(0), hex(""),
        hex("68"));
    assertThrows(IllegalArgumentException.class, () -> new PublicMessage(content,
        new FramedContentAuthData(hex("aa"), hex("bb")), hex("cc")));
  }

  @Test
  void framedContent_bodyNotMatchingContentType_fails() {
    assertThrows(IllegalArgumentException.class, () -> new FramedContent(hex("01"), 0,
        Sender.member(0), hex(""), ContentType.COMMIT, hex("68"), null, null));
  }

  @Test
  void framedContent_unknownContentType_isDecodeError() {
    byte[] bytes = FramedContent.application(hex("01"), 2, Sender.member(0), hex(""), hex("68"))
        .toBytes();
    // group_id(2) epoch(8) sender(5) authenticated_data(1) then content_type
    assertEquals(1, bytes[16]);
    bytes[16] = 4;
    assertThrows(MlsDecodeException.class,
        () -> TlsReader.decodeExactly(bytes, FramedContent::decode));
  }

  @Test
  void authenticatedContent_confirmedTranscriptHashInput_isWireFormatContentAndSignature() {
    FramedContent content = FramedContent.commit(hex("01"), 2, Sender.member(3), hex(""),
        EMPTY_COMMIT);
    AuthenticatedContent ac = new AuthenticatedContent(WireFormat.PUBLIC_MESSAGE, content,
        new FramedContentAuthData(hex("aa"), hex("bb")));
    assertArrayEquals(concat(hex("0001"), content.toBytes(), hex("01aa")),
        ac.confirmedTranscriptHashInput());
    assertArrayEquals(hex("01bb"), ac.interimTranscriptHashInput());
    assertArrayEquals(concat(hex("0001"), content.toBytes(), hex("01aa01bb")), ac.toBytes());
  }
}
