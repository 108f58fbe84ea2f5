package io.spacepanda;

/**
 * How much cover traffic a node sends at {@link PrivacyLevel#MIXED_WITH_COVER} (issue 16), set
 * with {@link SpacePanda.Builder#coverProfile(CoverProfile)}. Cover traffic is two Poisson
 * streams of Sphinx packets of one size (2413 bytes), Loopix style: a payload stream in which a
 * real packet takes the place of a drop packet, and a loop stream back to the node itself. An
 * observer of the node's link sees the same rate whether the node sends or not; what a profile
 * trades is bandwidth against the wait before a real packet leaves.
 */
public enum CoverProfile {

  /**
   * The default: a payload and a loop stream of one packet every 4 s each, so one packet every
   * 2 s on average, about 4.3 MB an hour for an idle node (issue budget 4.5 MB, ten times below
   * Nym's default client). A real packet waits for a slot of the payload stream, 4 s on average
   * at the sender and again for its acknowledgement at the recipient.
   */
  STANDARD,

  /**
   * For phones and metered links: a payload and a loop stream of one packet every 32 s each, so
   * one packet every 16 s on average, about 9 KB a minute (0.54 MB an hour) for an idle node,
   * within the seed design's 10 KB a minute for idle cover traffic. A real packet waits 32 s on
   * average for its slot, at each end, so a message takes about a minute and one of several
   * packets many minutes; the node waits up to 5 minutes for an acknowledgement before the
   * outbox sends again.
   */
  LOW_POWER
}
