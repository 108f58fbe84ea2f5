package io.spacepanda.internal.store;

/** Byte searches over store files, for at-rest tests. */
final class SqliteStorageTestSupport {

  private SqliteStorageTestSupport() {}

  static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
