/** Every socket joins these three rooms, so any node can reach a session's, a user's or a tenant's sockets. */
export const sessionRoom = (sessionId: string) => `session:${sessionId}`;
export const userRoom = (userId: string) => `user:${userId}`;
export const tenantRoom = (tenantId: string) => `tenant:${tenantId}`;
