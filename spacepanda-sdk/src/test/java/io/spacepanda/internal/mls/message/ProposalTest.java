package io.spacepanda.internal.mls.message;

import static io.spacepanda.internal.mls.message.WireFixtures.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProposalTest {

  @Test
  void encode_writesU16TypeThenBody() {
    assertArrayEquals(hex("000300000009"), new Proposal.Remove(9).toBytes());
    assertArrayEquals(hex("00060201ff"), new Proposal.ExternalInit(hex("01ff")).toBytes());
    assertArrayEquals(hex("000700"), new Proposal.GroupContextExtensions(List.of()).toBytes());
  }

  @Test
  void decode_unknownProposalType_isDecodeError() {
    assertThrows(MlsDecodeException.class,
        () -> TlsReader.decodeExactly(hex("000800"), Proposal::decode));
    assertThrows(MlsDecodeException.class,
        () -> TlsReader.decodeExactly(hex("0000"), Proposal::decode));
  }

  @Test
  void remove_indexAbove2pow31_roundTripsAndNamesNoLeaf() throws MlsDecodeException {
    Proposal.Remove r = TlsReader.decodeExactly(hex("ffffffff"), Proposal.Remove::decodeBody);
    assertEquals(-1, r.leafIndexOrMinusOne());
    assertArrayEquals(hex("0003ffffffff"), r.toBytes());
    assertEquals(5, new Proposal.Remove(5).leafIndexOrMinusOne());
  }

  @Test
  void proposalOrRef_unknownType_isDecodeError() {
    assertThrows(MlsDecodeException.class,
        () -> TlsReader.decodeExactly(hex("0300"), ProposalOrRef::decode));
  }

  @Test
  void commit_pathPresenceByteOtherThanZeroOrOne_isDecodeError() {
    assertThrows(MlsDecodeException.class,
        () -> TlsReader.decodeExactly(hex("0002"), Commit::decode));
  }

  @Test
  void preSharedKeyId_unknownTypeOrUsage_isDecodeError() throws MlsDecodeException {
    PreSharedKeyId ok = TlsReader.decodeExactly(hex("0203" + "0100" + "0000000000000005" + "00"),
        PreSharedKeyId::decode);
    assertEquals(PreSharedKeyId.resumption(3, hex("00"), 5, hex("")), ok);
    assertThrows(MlsDecodeException.class,
        () -> TlsReader.decodeExactly(hex("0204" + "0100" + "0000000000000005" + "00"), PreSharedKeyId::decode));
    assertThrows(MlsDecodeException.class,
        () -> TlsReader.decodeExactly(hex("030000"), PreSharedKeyId::decode));
  }
}
