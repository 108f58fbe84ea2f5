package io.spacepanda.internal.node;

import io.spacepanda.Channel;
import io.spacepanda.Space;
import io.spacepanda.spi.Id;

/** Makes the API views of spaces and channels that services hand to the listener. */
interface Handles {

  /**
   * @param channelId the channel
   * @param spaceId its space
   * @param name its name now, answered after this node left it
   * @param spaceName the space's name now, answered after this node left the space
   * @return the view
   */
  Channel channel(Id channelId, Id spaceId, String name, String spaceName);

  /**
   * @param spaceId the space
   * @param name its name now, answered after this node left it
   * @return the view
   */
  Space space(Id spaceId, String name);
}
