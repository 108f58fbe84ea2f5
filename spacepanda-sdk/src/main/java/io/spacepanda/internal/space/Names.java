package io.spacepanda.internal.space;

import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * Checks of the text values the space layer carries: space and channel names (1 to {@value
 * SpaceConstants#MAX_NAME_BYTES} UTF-8 bytes, no control characters, no unpaired surrogates) and
 * transport addresses (printable ASCII without spaces, as multiaddr text is). Stateless.
 */
final class Names {

  private Names() {}

  /** Returns null if {@code name} is a valid name, else the reason it is not. */
  static String problem(String name) {
    if (name.isEmpty()) {
      return "name is empty";
    }
    for (int i = 0; i < name.length(); i++) {
      if (Character.isISOControl(name.charAt(i))) {
        return "name has a control character at index " + i;
      }
    }
    int bytes;
    try {
      bytes = StandardCharsets.UTF_8.newEncoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .encode(CharBuffer.wrap(name))
          .remaining();
    } catch (CharacterCodingException e) {
      return "name has an unpaired surrogate";
    }
    if (bytes > SpaceConstants.MAX_NAME_BYTES) {
      return "name is " + bytes + " UTF-8 bytes, more than " + SpaceConstants.MAX_NAME_BYTES;
    }
    return null;
  }

  /** Returns {@code name} if valid, else throws {@link IllegalArgumentException} naming why. */
  static String check(String name, String what) {
    Objects.requireNonNull(name, what);
    String problem = problem(name);
    if (problem != null) {
      throw new IllegalArgumentException(what + ": " + problem);
    }
    return name;
  }

  /** Returns null if {@code a} is a valid transport address of at most maxBytes, else why not. */
  static String addressProblem(String a, int maxBytes) {
    if (a.isEmpty() || a.length() > maxBytes) {
      return "address length " + a.length() + " is not 1.." + maxBytes;
    }
    for (int i = 0; i < a.length(); i++) {
      char c = a.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return "address has a character that is not printable ASCII at index " + i;
      }
    }
    return null;
  }

  /** Returns an immutable copy of valid addresses, else throws {@link IllegalArgumentException}. */
  static List<String> checkAddresses(List<String> addresses, int maxCount, int maxBytes) {
    Objects.requireNonNull(addresses, "addresses");
    if (addresses.size() > maxCount) {
      throw new IllegalArgumentException(
          addresses.size() + " addresses, more than " + maxCount);
    }
    for (String a : addresses) {
      Objects.requireNonNull(a, "address");
      String problem = addressProblem(a, maxBytes);
      if (problem != null) {
        throw new IllegalArgumentException(problem);
      }
    }
    return List.copyOf(addresses);
  }
}
