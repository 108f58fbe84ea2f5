package io.spacepanda.internal.mls.message;

import static io.spacepanda.internal.mls.message.WireFixtures.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.mls.MlsDecodeException;
import io.spacepanda.internal.mls.codec.TlsReader;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExtensionTest {

  @Test
  void unknownType_roundTripsAsOpaque() throws MlsDecodeException {
    Extension e = TlsReader.decodeExactly(hex("ff0a03010203"), Extension::decode);
    assertEquals(new Extension(0xff0a, hex("010203")), e);
  }

  @Test
  void knownBodies_decodeFromTheirExtensions() throws MlsDecodeException {
    ExternalPub pub = new ExternalPub(hex("abcd"));
    ExternalSender sender = new ExternalSender(hex("01"), Credential.basic(hex("02")));
    RequiredCapabilities req = new RequiredCapabilities(List.of(2), List.of(), List.of(1));
    List<Extension> list = List.of(pub.toExtension(), ExternalSender.toExtension(List.of(sender)),
        req.toExtension());
    assertEquals(pub, Extension.findOrNull(list, Extension.EXTERNAL_PUB)
        .decodeData(ExternalPub::decode));
    assertEquals(List.of(sender), ExternalSender.decodeList(
        Extension.findOrNull(list, Extension.EXTERNAL_SENDERS).extensionData()));
    assertEquals(req, Extension.findOrNull(list, Extension.REQUIRED_CAPABILITIES)
        .decodeData(RequiredCapabilities::decode));
    assertNull(Extension.findOrNull(list, Extension.RATCHET_TREE));
  }

  @Test
  void decodeData_trailingBytes_isDecodeError() {
    Extension e = new Extension(Extension.EXTERNAL_PUB, hex("01ab00"));
    assertThrows(MlsDecodeException.class, () -> e.decodeData(ExternalPub::decode));
  }

  @Test
  void hasDuplicateTypes_detectsRepeatedType() {
    Extension a = new Extension(1, hex("00"));
    assertFalse(Extension.hasDuplicateTypes(List.of(a, new Extension(2, hex("")))));
    assertTrue(Extension.hasDuplicateTypes(List.of(a, new Extension(1, hex("01")))));
  }

  @Test
  void credential_unknownType_isDecodeError() {
    assertThrows(MlsDecodeException.class,
        () -> TlsReader.decodeExactly(hex("000300"), Credential::decode));
  }
}
