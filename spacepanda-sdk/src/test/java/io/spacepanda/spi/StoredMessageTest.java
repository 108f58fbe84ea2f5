package io.spacepanda.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StoredMessageTest {

  private static final Id MESSAGE_ID = Id.of(new byte[32]);
  private static final Id CHANNEL = Id.ofHex("c0");
  private static final Id SENDER = Id.ofHex("5e");
  private static final Instant AT = Instant.parse("2026-01-01T00:00:00.123456789Z");

  private static StoredMessage message(Id id, long lamport, byte[] body) {
    return new StoredMessage(id, CHANNEL, SENDER, lamport, 1, 0, body, AT, DeliveryState.SENT);
  }

  @Test
  void constructor_badParts_fail() {
    assertThrows(IllegalArgumentException.class, () -> message(Id.of(new byte[31]), 1, new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> message(MESSAGE_ID, -1, new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> message(MESSAGE_ID, 1, null));
    assertThrows(
        IllegalArgumentException.class,
        () -> message(MESSAGE_ID, 1, new byte[StoredMessage.MAX_BODY_LENGTH + 1]));
  }

  @Test
  void receivedAt_truncatedToMillis() {
    assertEquals(
        Instant.parse("2026-01-01T00:00:00.123Z"), message(MESSAGE_ID, 1, new byte[0]).receivedAt());
  }

  @Test
  void body_copiedInAndOut() {
    byte[] body = {1, 2};
    StoredMessage m = message(MESSAGE_ID, 1, body);
    body[0] = 7;
    m.body()[1] = 7;
    assertArrayEquals(new byte[] {1, 2}, m.body());
    assertEquals(message(MESSAGE_ID, 1, new byte[] {1, 2}), m);
  }

  @Test
  void toString_hidesBody() {
    String text =
        message(MESSAGE_ID, 1, "top secret".getBytes(StandardCharsets.UTF_8)).toString();
    assertFalse(text.contains("top secret"));
    assertTrue(text.contains("10 bytes"));
  }

  @Test
  void cursor_ordersByLamportSenderSequence() {
    HistoryCursor a = new HistoryCursor(1, Id.ofHex("ff"), 9);
    HistoryCursor b = new HistoryCursor(2, Id.ofHex("00"), 0);
    HistoryCursor c = new HistoryCursor(2, Id.ofHex("01"), 0);
    HistoryCursor d = new HistoryCursor(2, Id.ofHex("01"), 1);
    assertTrue(a.compareTo(b) < 0);
    assertTrue(b.compareTo(c) < 0);
    assertTrue(c.compareTo(d) < 0);
  }
}
