package io.spacepanda.examples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Prints the chat's events, as human-readable lines or as one JSON object per line.
 *
 * <p>Every event has a type and fields; in JSON mode it prints as {@code {"event":type,
 * "self":name, ...fields}}, in text mode as its text (nothing if it has none: some events only
 * matter to scripts). Thread-safe: the command loop and the node's listener thread both print, one
 * whole event at a time, through a sink that writes and flushes each line (or redraws a terminal's
 * prompt below it).
 */
final class ChatOutput {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final boolean json;
  private final Consumer<String> sink;
  private volatile String self;

  ChatOutput(boolean json, Consumer<String> sink) {
    this.json = json;
    this.sink = sink;
  }

  /** Sets the value of the JSON {@code "self"} field: the local display name or peer id. */
  void self(String value) {
    self = value;
  }

  boolean json() {
    return json;
  }

  /**
   * Prints one event.
   *
   * @param text the text-mode line(s), or null to print nothing in text mode
   * @param event the JSON event type
   * @param keyValues alternating field names and values (strings, numbers, lists, maps)
   */
  synchronized void emit(String text, String event, Object... keyValues) {
    if (!json) {
      if (text != null) {
        sink.accept(text);
      }
      return;
    }
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("event", event);
    if (self != null) {
      fields.put("self", self);
    }
    for (int i = 0; i + 1 < keyValues.length; i += 2) {
      fields.put((String) keyValues[i], keyValues[i + 1]);
    }
    try {
      sink.accept(JSON.writeValueAsString(fields));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot print event " + event, e);
    }
  }

  /** Prints an error a command or the node reported; the chat goes on. */
  void error(String message) {
    emit("error: " + message, "error", "message", message);
  }
}
