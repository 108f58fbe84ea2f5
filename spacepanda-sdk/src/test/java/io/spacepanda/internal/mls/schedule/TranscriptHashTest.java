package io.spacepanda.internal.mls.schedule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.message.AuthenticatedContent;
import io.spacepanda.internal.mls.message.Commit;
import io.spacepanda.internal.mls.message.FramedContent;
import io.spacepanda.internal.mls.message.FramedContentAuthData;
import io.spacepanda.internal.mls.message.Sender;
import io.spacepanda.internal.mls.message.WireFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class TranscriptHashTest {

  private static final CipherSuite SUITE = CipherSuite.X25519_AES128GCM_SHA256_ED25519;

  @Test
  void confirmed_fromSignedContent_equalsFromAuthenticatedContent() {
    FramedContent commit = FramedContent.commit(new byte[] {1}, 3, Sender.member(0), new byte[0],
        new Commit(List.of(), null));
    byte[] signature = new byte[64];
    AuthenticatedContent ac = new AuthenticatedContent(WireFormat.PUBLIC_MESSAGE, commit,
        new FramedContentAuthData(signature, new byte[32]));
    byte[] interim = new byte[32];
    assertArrayEquals(TranscriptHash.confirmed(SUITE, interim, ac),
        TranscriptHash.confirmed(SUITE, interim, WireFormat.PUBLIC_MESSAGE, commit, signature));
  }

  @Test
  void verifyConfirmationTag_wrongKeyOrTag_false() {
    byte[] key = new byte[32];
    byte[] confirmed = new byte[32];
    byte[] tag = TranscriptHash.confirmationTag(SUITE, key, confirmed);
    assertTrue(TranscriptHash.verifyConfirmationTag(SUITE, key, confirmed, tag));
    byte[] bad = tag.clone();
    bad[5] ^= 1;
    assertFalse(TranscriptHash.verifyConfirmationTag(SUITE, key, confirmed, bad));
    assertFalse(TranscriptHash.verifyConfirmationTag(SUITE, new byte[] {1}, confirmed, tag));
  }
}
