package io.spacepanda.internal.mls.vectors;

import static io.spacepanda.internal.mls.vectors.MlsVectors.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.spacepanda.internal.mls.codec.TlsReader;
import io.spacepanda.internal.mls.codec.TlsWriter;
import org.junit.jupiter.api.Test;

/** deserialization.json: the variable-length vector headers of RFC 9420 §2.1.2. */
class DeserializationVectorTest {

  @Test
  void vlbytesHeader_decodesToLength_andReencodesIdentically() {
    MlsVectors.Report report = new MlsVectors.Report("deserialization.json");
    for (JsonNode c : MlsVectors.load("deserialization.json")) {
      long length = c.get("length").asLong();
      report.run("length " + length, () -> {
        byte[] header = hex(c.get("vlbytes_header"));
        int decoded = TlsReader.decodeExactly(header, TlsReader::varint);
        assertEquals(length, decoded);
        assertArrayEquals(header, new TlsWriter().varint(decoded).toByteArray());
      });
    }
    report.finish();
  }
}
