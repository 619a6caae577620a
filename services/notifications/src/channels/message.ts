/** One message to one address on a chat or SMS channel. */
export interface ChannelMessage {
  deliveryId: string;
  nodeId: string;
  /** The node's name (an SMS template may carry it). */
  nodeName: string;
  /** notice, chase, …, or digest. */
  kind: string;
  /** Phone number, WeCom userid, or, for a group robot, the phones to @-mention (comma-separated). */
  to: string;
  title: string;
  body: string;
}

/** An adapter for one channel: resolves when the platform took the message, throws otherwise. */
export interface Sender {
  send(message: ChannelMessage): Promise<void>;
}
