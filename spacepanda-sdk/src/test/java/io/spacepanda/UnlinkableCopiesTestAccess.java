package io.spacepanda;

/** Lets tests in other packages use {@link UnlinkableCopiesTest}'s common-run measure. */
public final class UnlinkableCopiesTestAccess {

  private UnlinkableCopiesTestAccess() {}

  /**
   * Longest run of equal bytes the two arrays share anywhere.
   *
   * @param a one array
   * @param b the other
   * @return the length of the longest common substring
   */
  public static int longestCommonRun(byte[] a, byte[] b) {
    return UnlinkableCopiesTest.longestCommonRun(a, 0, b, 0);
  }
}
