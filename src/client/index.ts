export { connectStepguard } from './connect-stepguard.js';
export type {
  ConnectionState,
  StepguardConnection,
  StepguardConnectionOptions,
  StepUpMethod,
  StepUpRequired,
} from './connect-stepguard.js';
export { StepguardError } from './stepguard-error.js';
export type { ConnectRefusal, ForcedDisconnect, ServerToClientEvents } from '../live/socket-events.js';
