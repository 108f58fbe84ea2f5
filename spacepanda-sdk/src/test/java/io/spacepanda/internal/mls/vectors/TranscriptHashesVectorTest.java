package io.spacepanda.internal.mls.vectors;

import static io.spacepanda.internal.mls.vectors.MlsVectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.crypto.CipherSuite;
import io.spacepanda.internal.mls.message.AuthenticatedContent;
import io.spacepanda.internal.mls.message.ContentType;
import io.spacepanda.internal.mls.schedule.TranscriptHash;
import org.junit.jupiter.api.Test;

/** transcript-hashes.json: confirmed/interim transcript hashes and confirmation tag (RFC 9420 §8.2). */
class TranscriptHashesVectorTest {

  @Test
  void transcriptHashes_allSuites_matchAndTagVerifies() {
    MlsVectors.Report report = new MlsVectors.Report("transcript-hashes.json");
    for (JsonNode c : MlsVectors.load("transcript-hashes.json")) {
      var suite = MlsVectors.suite(c);
      if (suite.isEmpty()) {
        report.skip();
        continue;
      }
      CipherSuite s = suite.get();
      report.run("suite " + s.id(), () -> {
        AuthenticatedContent ac = TlsReader.decodeExactly(hex(c.get("authenticated_content")),
            AuthenticatedContent::decode);
        assertEquals(ContentType.COMMIT, ac.content().contentType());
        byte[] confirmed = TranscriptHash.confirmed(s, hex(c.get("interim_transcript_hash_before")),
            ac);
        assertArrayEquals(hex(c.get("confirmed_transcript_hash_after")), confirmed, "confirmed");
        assertArrayEquals(confirmed, TranscriptHash.confirmed(s,
            hex(c.get("interim_transcript_hash_before")), ac.wireFormat(), ac.content(),
            ac.auth().signature()), "confirmed from signed content");
        byte[] tag = ac.auth().confirmationTag();
        assertTrue(TranscriptHash.verifyConfirmationTag(s, hex(c.get("confirmation_key")),
            confirmed, tag), "confirmation tag");
        assertArrayEquals(tag, TranscriptHash.confirmationTag(s, hex(c.get("confirmation_key")),
            confirmed));
        assertArrayEquals(hex(c.get("interim_transcript_hash_after")),
            TranscriptHash.interim(s, confirmed, tag), "interim");
      });
    }
    report.finish();
  }
}
