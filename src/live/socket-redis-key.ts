import type { AppConfig } from '../common/app-config.js';

/** The socket.io adapter's channel prefix: nodes (and emitters) of one installation share it, others never do. */
export const socketRedisKey = (config: AppConfig) => `${config.env.REDIS_KEY_PREFIX}:socket.io`;
